"""asyncio_fleets.py -- the baseline fleetd replaces: fleet managers written
the way players write them today, one asyncio task per fleet, each asleep
until the game state is updated, then looking at its fleet.

Stdlib only (Debian's python3).  One poller task asks the game for the
changes once per watch (getObjects with `sequence`, timed by
nextUpdateTime, exactly as fleetd does), merges them into a dict, and sets
an asyncio.Event: every fleet task wakes, looks at its fleet, and counts an
arrival when the fleet is anchored somewhere new.

usage: asyncio_fleets.py UPSTREAM_URL FLEETS_FILE
  UPSTREAM_URL  the game API base, e.g. http://127.0.0.1:8081/api/
  FLEETS_FILE   the player's fleet ids, one a line, a task for each (an
                empty file: no task, to measure the process without them)
Prints "ready tasks=N" once the full state is loaded and the tasks are
waiting, then after each watch, once every task has looked,
"watch W woken=N arrived=K cpu_ns=C": C is this process's CPU time
from asking for the watch's changes to the last task having looked.  Run by bench/bench.py; exits on stdin EOF."""
import asyncio
import base64
import json
import sys
import time
import urllib.parse


def ipint(v):
    """A plain number or an AEON2011:ipInteger:v1 pair."""
    if isinstance(v, list) and len(v) == 2:
        raw = base64.b64decode(v[1])
        mag = int.from_bytes(raw[6:], "big")
        return -mag if raw[:4] == b"-1PI" else mag
    return int(v)


class Game:
    """The player's view: every object by id, refreshed once per watch."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.path = u.path if u.path.endswith("/") else u.path + "/"
        self.objects = {}
        self.player = None
        self.sequence = 0
        self.watch = 0
        self.next_update_ms = 0
        self.updated = asyncio.Event()
        self.token = None
        self.looked = 0
        self.all_looked = None

    async def call(self, endpoint, body):
        """One POST on a fresh connection, as a simple bot does it."""
        data = json.dumps(body).encode()
        r, w = await asyncio.open_connection(self.host, self.port)
        w.write(("POST %s%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                 "Content-Length: %d\r\nConnection: close\r\n\r\n"
                 % (self.path, endpoint, self.host, len(data))).encode() + data)
        await w.drain()
        raw = await r.read()
        w.close()
        head, _, payload = raw.partition(b"\r\n\r\n")
        if b"transfer-encoding: chunked" in head.lower():
            payload = dechunk(payload)
        return json.loads(payload)

    async def login(self):
        a = await self.call("login", {"username": "demo", "password": "demo", "actual": True})
        self.token = a["authToken"]
        info = await self.call("getGameInfo", {"authToken": self.token, "gameID": "sim"})
        self.player = info["userInfo"]["sovereignID"]

    def merge(self, answer):
        for o in answer:
            c = o.get("class")
            if c == "update":
                self.sequence = ipint(o["sequence"])
                self.watch = o.get("update", self.watch)
                self.next_update_ms = time.time() * 1000 + float(o.get("nextUpdateTime", 1000))
            elif c == "destroyedSpaceObject":
                self.objects.pop(o.get("id"), None)
            elif "id" in o:
                self.objects[o["id"]] = o

    async def poll_forever(self, ntasks):
        while True:
            await asyncio.sleep(max(0.0, (self.next_update_ms - time.time() * 1000) / 1000) + 0.05)
            cpu0 = time.process_time_ns()
            a = await self.call("getObjects", {"authToken": self.token, "gameID": "sim",
                                               "sequence": self.sequence})
            self.merge(a)
            # wake every task: they all sleep on the same "state updated" event
            self.looked = 0
            self.arrived = 0
            self.all_looked = asyncio.get_running_loop().create_future()
            if ntasks == 0:
                self.all_looked.set_result(None)
            ev, self.updated = self.updated, asyncio.Event()
            ev.set()
            await self.all_looked
            cpu = time.process_time_ns() - cpu0
            print("watch %s woken=%d arrived=%d cpu_ns=%d" % (self.watch, self.looked,
                                                             self.arrived, cpu), flush=True)


def dechunk(b):
    out = bytearray()
    while True:
        line, _, b = b.partition(b"\r\n")
        n = int(line.split(b";")[0], 16)
        if n == 0:
            return bytes(out)
        out += b[:n]
        b = b[n + 2:]


async def manage_fleet(game, fleet_id, ntasks):
    """One fleet manager: sleep until the state changes, look, repeat."""
    last_anchor = game.objects.get(fleet_id, {}).get("anchorObjID")
    while True:
        await game.updated.wait()
        f = game.objects.get(fleet_id)
        anchor = f.get("anchorObjID") if f else None
        if anchor is not None and anchor != last_anchor:
            game.arrived += 1  # here a real bot would start its next order
        last_anchor = anchor
        game.looked += 1
        if game.looked == ntasks and not game.all_looked.done():
            game.all_looked.set_result(None)


async def main():
    base = sys.argv[1]
    with open(sys.argv[2]) as f:
        fleets = [int(x) for x in f.read().split()]
    ntasks = len(fleets)
    game = Game(base)
    await game.login()
    game.merge(await game.call("getObjects", {"authToken": game.token, "gameID": "sim",
                                              "sequence": 0}))
    mine = set(i for i, o in game.objects.items()
               if o.get("class") == "fleet" and o.get("sovereignID") == game.player)
    if not mine.issuperset(fleets):
        sys.exit("not the player's fleets: %s" % sorted(set(fleets) - mine)[:5])
    tasks = [asyncio.create_task(manage_fleet(game, fid, ntasks)) for fid in fleets]
    await asyncio.sleep(0)  # let every task reach its first wait
    print("ready tasks=%d" % len(tasks), flush=True)
    poller = asyncio.create_task(game.poll_forever(ntasks))
    eof = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await asyncio.wait([poller, eof], return_when=asyncio.FIRST_COMPLETED)


if __name__ == "__main__":
    asyncio.run(main())
