-- jobs_post.lua -- wrk script for bench/jobs_engine.py: every request
-- submits a new job for a fleet id no other request uses (thread k of T
-- posts FIRST+k, FIRST+k+T, ...), so the lease never refuses one.  The
-- body is one step, given as the third argument with FLEET replaced.
-- usage: wrk -tT -s jobs_post.lua URL -- FIRST T STEP_JSON

local threads = {}

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	first = tonumber(args[1])
	stride = tonumber(args[2])
	step = args[3]
	i = tid
	created = 0
	other = 0
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	local fleet = first + i
	i = i + stride
	return wrk.format(nil, "/v1/jobs", nil,
		'{"fleet":' .. fleet .. ',"steps":[' .. step .. ']}')
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
