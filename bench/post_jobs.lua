-- post_jobs.lua -- wrk script for the durable POST /v1/jobs figure.
-- Every request submits a new job for a fleet no other request uses:
-- thread k of T posts fleets FIRST+k, FIRST+k+T, ... below FIRST+COUNT
-- (or the k-th, k+T-th, ... id of FILE),
-- each job one `wait` step of SECONDS.  Only 201 answers are counted (the
-- bench divides them by the duration wrk reports); once a thread has used
-- its fleets it keeps posting the last one, which fleetd refuses with 409.
-- usage: wrk -tT -s post_jobs.lua URL -- FIRST COUNT SECONDS T [STEP]
--    or: wrk -tT -s post_jobs.lua URL -- @FILE 0 SECONDS T [STEP]   (fleet ids, one a line)
-- STEP, if given, is the job's one step as JSON instead of the wait
-- (bench/jobs_engine.py posts `move` steps with it; SECONDS is then unused).
-- A line of FILE may carry its fleet's own step after the id and a space
-- ("6000001 {...}"; bench.py's conds group gives each job its condition).

local threads = {}

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	if string.sub(args[1], 1, 1) == "@" then
		ids = {}
		steps = {}
		for line in io.lines(string.sub(args[1], 2)) do
			local id, rest = string.match(line, "^%s*(%d+)%s*(.*)$")
			if id then
				table.insert(ids, tonumber(id))
				steps[#ids] = rest ~= "" and rest or nil
			end
		end
		count = #ids
	else
		first = tonumber(args[1])
		count = tonumber(args[2])
	end
	seconds = args[3]
	stride = tonumber(args[4])
	step = args[5] or ('{"op":"wait","seconds":' .. seconds .. '}')
	i = tid
	created = 0
	other = 0
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	local k = math.min(i, count - 1)
	local fleet = ids and ids[k + 1] or first + k
	local s = ids and steps[k + 1] or step
	i = i + stride
	return wrk.format(nil, "/v1/jobs", nil,
		'{"fleet":' .. fleet .. ',"steps":[' .. s .. ']}')
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	else
		other = other + 1
	end
end

function done(summary, latency, requests)
	local c, o = 0, 0
	for _, t in ipairs(threads) do
		c = c + t:get("created")
		o = o + t:get("other")
	end
	io.write(string.format("created=%d other=%d\n", c, o))
end
