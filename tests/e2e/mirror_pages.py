"""mirror_pages.py -- GET /v1/fleets and GET /v1/worlds stop a page before
the item that would take it past --max-page-bytes (issue 13, point 6),
and next_cursor carries on: walking the pages gives every fleet and world
fleetsim has, each once, in id order, and no page is much over the cap.
/v1/fleets, which had no pages, takes the same cursor.  The cap is set
with FLEETD_MAX_PAGE_BYTES here (the flag is --max-page-bytes)."""
import json
import os

from jobslib import Fleetd, Sim, check, fail, sim_state  # noqa: F401
from simlib import by_class

CAP = 4096

sim = Sim("--watch-ms", "1000", "--seed", "5", "--worlds", "120", "--fleets", "30")
# set through the environment, which the flag's FLEETD_* name also covers
os.environ["FLEETD_MAX_PAGE_BYTES"] = str(CAP)
d = Fleetd(sim, name="pages")
d.wait_ready()


def walk(path, key):
    ids, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in path else "?"
        q = path + ("%scursor=%s" % (sep, cursor) if cursor else "")
        st, _, raw = d.raw("GET", q)
        check(st == 200, "GET %s -> %d %r" % (q, st, raw[:200]))
        page = json.loads(raw)
        items = page[key]
        check(items, "an empty page: %s %r" % (q, raw[:200]))
        check(page["count"] == len(items), "count %d of %d items" % (page["count"], len(items)))
        check(len(items) == 1 or len(raw) <= CAP + 200,
              "%s: a page of %d items is %d bytes" % (q, len(items), len(raw)))
        ids += [i["id"] for i in items]
        pages += 1
        cursor = page.get("next_cursor")
        if not cursor:
            return ids, pages
        check(cursor == str(items[-1]["id"]), "next_cursor %r after %d" %
              (cursor, items[-1]["id"]))
        check(pages < 1000, "the cursor does not end")


objs = list(sim_state(sim).values())
sim_fleets = sorted(o["id"] for o in by_class(objs, "fleet"))
sim_worlds = sorted(o["id"] for o in by_class(objs, "world"))

ids, pages = walk("/v1/fleets?sovereign=all", "fleets")
check(pages > 1, "%d fleets in one page of %d bytes" % (len(ids), CAP))
check(ids == sim_fleets, "fleets by pages %s, fleetsim has %s" % (ids, sim_fleets))

mine, _ = walk("/v1/fleets", "fleets")
check(mine and set(mine) <= set(ids) and mine == sorted(mine), "my fleets: %s" % mine)

ids, pages = walk("/v1/worlds?limit=1000", "worlds")
check(pages > 1, "%d worlds in one page of %d bytes" % (len(ids), CAP))
check(ids == sim_worlds, "worlds by pages: %d, fleetsim has %d" % (len(ids), len(sim_worlds)))

# the count limit still cuts before the byte cap does
st, _, raw = d.raw("GET", "/v1/worlds?limit=2")
page = json.loads(raw)
check(len(page["worlds"]) == 2 and page["next_cursor"] == str(page["worlds"][1]["id"]),
      "limit=2: %r" % raw[:300])
d.stop()
print("ok")
