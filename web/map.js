// map.js -- the galaxy map: one <canvas>, every world a point coloured by
// its sovereign, the player's fleets as markers, travelling fleets with a
// line to their destination and their eta, trade routes as solid lines
// between their two worlds (the selected world's brighter).  Pan (drag,
// arrow keys), zoom (wheel, +/-), fit (0); a click selects the nearest
// fleet or world, and so does Enter for what is nearest the centre.
//
// Drawing is kept cheap for thousands of worlds: positions are bucketed by
// colour when the data changes (not per frame), so a frame is one path and
// one fill per sovereign colour, plus the fleets.

const PLAYER_RGB = [0x4f, 0xc3, 0xf7];
const NEUTRAL_RGB = [0x8a, 0x8f, 0x98];
const BACKGROUND_RGB = [0x0b, 0x0e, 0x14];

function hslToRgb(h, s, l) {
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0), f(8), f(4)].map((v) => Math.round(v * 255));
}

// The sovereign's colour as [r, g, b]: the player's is blue, unowned
// worlds grey, every other sovereign a hue of its own (golden-angle steps).
export function sovereignRgb(id, player) {
  if (id === player && player) return PLAYER_RGB;
  if (!id) return NEUTRAL_RGB;
  let hue = (Number(id) * 137.508) % 360;
  if (hue > 180 && hue < 220) hue += 60;   // keep clear of the player's blue
  return hslToRgb(hue, 0.65, 0.58);
}

export function sovereignColour(id, player) {
  const [r, g, b] = sovereignRgb(id, player);
  return `rgb(${r}, ${g}, ${b})`;
}

// ImageData pixels are RGBA bytes; read as 32-bit words their order is the
// machine's, so pack a colour the way this machine will read it back.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function packRgb([r, g, b]) {
  return LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}
const BACKGROUND = packRgb(BACKGROUND_RGB);
const FLEET = packRgb([0xff, 0xd5, 0x4f]);
const ROUTE = packRgb([0xe6, 0xc0, 0x48]);
export const TRADE_RGB = [0x3f, 0x9e, 0x8c];
export const TRADE_SELECTED_RGB = [0x69, 0xf0, 0xae];
const TRADE = packRgb(TRADE_RGB);
const TRADE_SELECTED = packRgb(TRADE_SELECTED_RGB);

// Trade routes as pairs of world ids, each once: the game lists a route on
// both of its worlds (the exporter's entry has `return`).  A world's
// `routes` is the list of its partners' ids.
export function tradePairs(worlds) {
  const seen = new Set(), out = [];
  for (const w of worlds) {
    for (const partner of w.routes || []) {
      const a = Math.min(w.id, partner), b = Math.max(w.id, partner);
      const key = `${a}:${b}`;
      if (a === b || seen.has(key)) continue;
      seen.add(key);
      out.push([a, b]);
    }
  }
  return out;
}

// Liang-Barsky: the part of segment a->b inside [0,maxX]x[0,maxY] as
// [x0, y0, x1, y1, t0] (t0: where it starts along a->b), or null.
function clipSegment(ax, ay, bx, by, maxX, maxY) {
  let t0 = 0, t1 = 1;
  const dx = bx - ax, dy = by - ay;
  const edges = [[-dx, ax], [dx, maxX - ax], [-dy, ay], [dy, maxY - ay]];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const t = q / p;
      if (p < 0) { if (t > t1) return null; if (t > t0) t0 = t; } else { if (t < t0) return null; if (t < t1) t1 = t; }
    }
  }
  return [ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy, t0];
}

// A filled triangle pointing up, apex size px above (x, y), base below.
function triangle(px, pw, ph, x, y, size, pixel) {
  const top = y - size, rows = Math.round(size * 1.7);
  for (let r = 0; r < rows; r++) {
    const yy = top + r;
    if (yy < 0 || yy >= ph) continue;
    const half = Math.round((r / rows) * size);
    const from = Math.max(x - half, 0), to = Math.min(x + half + 1, pw);
    if (from < to) px.fill(pixel, yy * pw + from, yy * pw + to);
  }
}

export class GalaxyMap {
  constructor(canvas, { onSelect, formatEta }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.onSelect = onSelect;
    this.formatEta = formatEta;
    this.worlds = [];
    this.fleets = [];
    this.worldById = new Map();
    this.player = 0;
    this.buckets = [];          // [{pixel, xy: Float32Array}]
    this.trade = [];            // [[world id, world id]], each route once
    this.image = null;          // ImageData the size of the canvas
    this.pixels = null;         // its data as 32-bit words
    this.view = { cx: 0, cy: 0, scale: 1 };
    this.fitted = false;
    this.selected = null;       // {kind: 'world'|'fleet', id}
    this.lastFrameMs = 0;
    this.frameQueued = false;
    this.dpr = 1;
    this.attach();
  }

  setData({ worlds, fleets, player }) {
    if (worlds) {
      this.worlds = worlds;
      this.worldById = new Map(worlds.map((w) => [w.id, w]));
    }
    if (fleets) this.fleets = fleets;
    if (player !== undefined) this.player = player;
    this.rebucket();
    if (!this.fitted && this.worlds.length) this.fit();
    this.requestDraw();
  }

  rebucket() {
    const groups = new Map();
    for (const w of this.worlds) {
      const c = packRgb(sovereignRgb(w.sovereign, this.player));
      let g = groups.get(c);
      if (!g) groups.set(c, (g = []));
      g.push(w.x, w.y);
    }
    this.buckets = [...groups].map(([pixel, xy]) => ({ pixel, xy: Float32Array.from(xy) }));
    this.trade = tradePairs(this.worlds).filter(([a, b]) => this.worldById.has(a) && this.worldById.has(b));
  }

  fit() {
    const pts = this.worlds.length ? this.worlds : this.fleets;
    if (!pts.length) return;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const p of pts) {
      if (p.x < minX) minX = p.x;
      if (p.x > maxX) maxX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.y > maxY) maxY = p.y;
    }
    const { w, h } = this.size();
    const spanX = Math.max(maxX - minX, 1), spanY = Math.max(maxY - minY, 1);
    this.view.cx = (minX + maxX) / 2;
    this.view.cy = (minY + maxY) / 2;
    this.view.scale = Math.max(Math.min((w - 40) / spanX, (h - 40) / spanY), 1e-4);
    this.fitted = true;
    this.requestDraw();
  }

  size() {
    return { w: this.canvas.clientWidth || 300, h: this.canvas.clientHeight || 200 };
  }

  // Galaxy y grows upwards (as in the game); the screen's grows down.
  toScreen(x, y) {
    const { w, h } = this.size();
    return [(x - this.view.cx) * this.view.scale + w / 2, h / 2 - (y - this.view.cy) * this.view.scale];
  }

  toGalaxy(sx, sy) {
    const { w, h } = this.size();
    return [(sx - w / 2) / this.view.scale + this.view.cx, this.view.cy - (sy - h / 2) / this.view.scale];
  }

  select(sel) {
    this.selected = sel;
    this.requestDraw();
  }

  centreOn(x, y) {
    this.view.cx = x;
    this.view.cy = y;
    this.requestDraw();
  }

  zoom(factor, sx, sy) {
    const { w, h } = this.size();
    if (sx === undefined) { sx = w / 2; sy = h / 2; }
    const [gx, gy] = this.toGalaxy(sx, sy);
    this.view.scale = Math.min(Math.max(this.view.scale * factor, 1e-4), 1e4);
    // keep the point under the cursor where it was
    const [nx, ny] = this.toGalaxy(sx, sy);
    this.view.cx += gx - nx;
    this.view.cy += gy - ny;
    this.requestDraw();
  }

  pan(dx, dy) {
    this.view.cx -= dx / this.view.scale;
    this.view.cy += dy / this.view.scale;
    this.requestDraw();
  }

  requestDraw() {
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => {
      this.frameQueued = false;
      this.draw();
    });
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = this.size();
    const pw = Math.round(w * dpr), ph = Math.round(h * dpr);
    if (this.canvas.width !== pw || this.canvas.height !== ph) {
      this.canvas.width = pw;
      this.canvas.height = ph;
    }
    this.dpr = dpr;
  }

  // One whole frame; returns (and keeps) how long it took in ms.
  draw() {
    const t0 = performance.now();
    this.resize();
    const ctx = this.ctx;
    const { w, h } = this.size();
    this.drawWorlds(ctx, w, h);   // also clears: it writes every pixel
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.drawNames(ctx, w, h);
    this.drawLabels(ctx, w, h);
    this.drawSelection(ctx);
    this.lastFrameMs = performance.now() - t0;
    return this.lastFrameMs;
  }

  // Points are whole-pixel squares written into the pixel buffer, which is
  // put on the canvas in one call: no path or anti-aliasing work at all.
  drawWorlds(ctx, w, h) {
    const pw = this.canvas.width, ph = this.canvas.height;
    if (!this.image || this.image.width !== pw || this.image.height !== ph) {
      this.image = ctx.createImageData(pw, ph);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const px = this.pixels;
    px.fill(BACKGROUND);
    const { cx, cy } = this.view;
    const scale = this.view.scale * this.dpr;
    const r = Math.round(Math.min(Math.max(this.view.scale * 3, 3), 6) * this.dpr);
    const ox = pw / 2 - cx * scale - r / 2, oy = ph / 2 + cy * scale - r / 2;
    const maxX = pw - r, maxY = ph - r;
    for (const b of this.buckets) {
      const xy = b.xy, pixel = b.pixel;
      for (let i = 0; i < xy.length; i += 2) {
        const sx = Math.round(xy[i] * scale + ox), sy = Math.round(oy - xy[i + 1] * scale);
        if (sx < 0 || sy < 0 || sx > maxX || sy > maxY) continue;
        for (let row = sy * pw + sx, end = row + r * pw; row < end; row += pw) px.fill(pixel, row, row + r);
      }
    }
    this.drawTrade(px, pw, ph);
    this.drawRoutes(px, pw, ph);
    this.drawMarkers(px, pw, ph);
    ctx.putImageData(this.image, 0, 0);
  }

  // One solid line, clipped to the canvas, `width` device pixels wide.
  line(px, pw, ph, a, b, pixel, width) {
    const d = this.dpr;
    const [ax, ay] = this.toScreen(a.x, a.y);
    const [bx, by] = this.toScreen(b.x, b.y);
    const seg = clipSegment(ax * d, ay * d, bx * d, by * d, pw - width, ph - width);
    if (!seg) return;
    const [x0, y0, x1, y1] = seg;
    const n = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)));
    for (let i = 0; i <= n; i++) {
      const x = Math.round(x0 + ((x1 - x0) * i) / (n || 1));
      const y = Math.round(y0 + ((y1 - y0) * i) / (n || 1));
      for (let r = 0; r < width; r++) px.fill(pixel, (y + r) * pw + x, (y + r) * pw + x + width);
    }
  }

  // Trade routes: a line between the two worlds, the selected world's
  // routes brighter and wider, drawn last so they are on top.
  drawTrade(px, pw, ph) {
    const sel = this.selected && this.selected.kind === 'world' ? this.selected.id : 0;
    const d = Math.max(Math.round(this.dpr), 1);
    const mine = [];
    for (const pair of this.trade) {
      if (pair[0] === sel || pair[1] === sel) { mine.push(pair); continue; }
      this.line(px, pw, ph, this.worldById.get(pair[0]), this.worldById.get(pair[1]), TRADE, d);
    }
    for (const [a, b] of mine) this.line(px, pw, ph, this.worldById.get(a), this.worldById.get(b), TRADE_SELECTED, 2 * d);
  }

  // Travelling fleets: a dashed line to the destination, clipped to the
  // canvas first so a far-off route costs nothing.
  drawRoutes(px, pw, ph) {
    const d = this.dpr;
    for (const f of this.fleets) {
      if (!f.dest) continue;
      const [ax, ay] = this.toScreen(f.x, f.y);
      const [bx, by] = this.toScreen(f.dest.x, f.dest.y);
      const seg = clipSegment(ax * d, ay * d, bx * d, by * d, pw - 1, ph - 1);
      if (!seg) continue;
      const [x0, y0, x1, y1, t0] = seg;
      const n = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)));
      // keep the dash pattern anchored at the fleet, not at the clip
      const phase = Math.round(t0 * Math.max(Math.abs(bx - ax), Math.abs(by - ay)) * d);
      for (let i = 0; i <= n; i++) {
        if ((i + phase) % (7 * d) >= 4 * d) continue;
        const x = Math.round(x0 + ((x1 - x0) * i) / (n || 1));
        const y = Math.round(y0 + ((y1 - y0) * i) / (n || 1));
        px[y * pw + x] = ROUTE;
      }
    }
  }

  // Fleet markers: triangles stamped row by row, a dark rim then the fill.
  drawMarkers(px, pw, ph) {
    const d = this.dpr;
    for (const f of this.fleets) {
      const [sx, sy] = this.toScreen(f.x, f.y);
      const x = Math.round(sx * d), y = Math.round(sy * d);
      if (x < -10 * d || y < -10 * d || x > pw + 10 * d || y > ph + 10 * d) continue;
      const own = !this.player || f.sovereign === this.player || f.sovereign === undefined;
      const fill = own ? FLEET : packRgb(sovereignRgb(f.sovereign, this.player));
      triangle(px, pw, ph, x, y, 8 * d, BACKGROUND);
      triangle(px, pw, ph, x, y + d, 6 * d, fill);
    }
  }

  // Names only when zoomed in enough to read them, and never too many.
  drawNames(ctx, w, h) {
    if (this.view.scale > 2.5) {
      ctx.fillStyle = '#c9d1d9';
      ctx.font = '11px system-ui, sans-serif';
      let n = 0;
      for (const wd of this.worlds) {
        const [sx, sy] = this.toScreen(wd.x, wd.y);
        if (sx < 0 || sy < 0 || sx > w || sy > h) continue;
        ctx.fillText(wd.name || String(wd.id), sx + 5, sy - 4);
        if (++n > 300) break;
      }
    }
  }

  // Eta labels beside the routes, only while few enough to read (else:
  // click the fleet).
  drawLabels(ctx, w, h) {
    const labels = [];
    for (const f of this.fleets) {
      if (!f.dest) continue;
      const [sx, sy] = this.toScreen(f.x, f.y);
      if (sx < 0 || sy < 0 || sx > w || sy > h) continue;
      const [dx, dy] = this.toScreen(f.dest.x, f.dest.y);
      labels.push([f, (sx + dx) / 2 + 4, (sy + dy) / 2 - 4]);
      if (labels.length > 60) return;
    }
    ctx.fillStyle = '#ffd54f';
    ctx.font = '11px system-ui, sans-serif';
    for (const [f, x, y] of labels) {
      const eta = this.formatEta(f);
      if (eta) ctx.fillText(eta, x, y);
    }
  }

  drawSelection(ctx) {
    const s = this.selected && this.find(this.selected);
    if (!s) return;
    const [sx, sy] = this.toScreen(s.x, s.y);
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx, sy, 11, 0, Math.PI * 2);
    ctx.stroke();
  }

  find(sel) {
    if (sel.kind === 'world') return this.worldById.get(sel.id);
    return this.fleets.find((f) => f.id === sel.id);
  }

  // Nearest fleet within 12 px, else nearest world within 9 px.
  hit(sx, sy) {
    let best = null, bestD = 12 * 12;
    for (const f of this.fleets) {
      const [x, y] = this.toScreen(f.x, f.y);
      const d = (x - sx) ** 2 + (y - sy) ** 2;
      if (d < bestD) { best = { kind: 'fleet', id: f.id }; bestD = d; }
    }
    if (best) return best;
    bestD = 9 * 9;
    for (const wd of this.worlds) {
      const [x, y] = this.toScreen(wd.x, wd.y);
      const d = (x - sx) ** 2 + (y - sy) ** 2;
      if (d < bestD) { best = { kind: 'world', id: wd.id }; bestD = d; }
    }
    return best;
  }

  // Nearest fleet or world to a point, however far (for the keyboard).
  nearest(sx, sy) {
    const near = this.hit(sx, sy);
    if (near) return near;
    let best = null, bestD = Infinity;
    for (const wd of this.worlds) {
      const [x, y] = this.toScreen(wd.x, wd.y);
      const d = (x - sx) ** 2 + (y - sy) ** 2;
      if (d < bestD) { best = { kind: 'world', id: wd.id }; bestD = d; }
    }
    return best;
  }

  attach() {
    const c = this.canvas;
    let drag = null;
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      drag = { x: e.offsetX, y: e.offsetY, moved: false };
    });
    c.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
      if (!drag.moved && dx * dx + dy * dy < 16) return;
      drag.moved = true;
      this.pan(dx, dy);
      drag.x = e.offsetX;
      drag.y = e.offsetY;
    });
    c.addEventListener('pointerup', (e) => {
      if (drag && !drag.moved) {
        const sel = this.hit(e.offsetX, e.offsetY);
        this.select(sel);
        this.onSelect(sel);
      }
      drag = null;
    });
    c.addEventListener('pointercancel', () => { drag = null; });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoom(Math.exp(-e.deltaY * 0.0015), e.offsetX, e.offsetY);
    }, { passive: false });
    c.addEventListener('keydown', (e) => {
      const step = 40;
      const keys = {
        ArrowLeft: () => this.pan(step, 0),
        ArrowRight: () => this.pan(-step, 0),
        ArrowUp: () => this.pan(0, step),
        ArrowDown: () => this.pan(0, -step),
        '+': () => this.zoom(1.25),
        '=': () => this.zoom(1.25),
        '-': () => this.zoom(0.8),
        '0': () => this.fit(),
        // the keyboard's click: what is nearest the centre of the view
        Enter: () => {
          const { w, h } = this.size();
          const sel = this.nearest(w / 2, h / 2);
          this.select(sel);
          this.onSelect(sel);
        },
      };
      const fn = keys[e.key];
      if (fn) { e.preventDefault(); fn(); }
    });
    new ResizeObserver(() => this.requestDraw()).observe(c);
  }
}
