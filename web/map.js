// map.js -- the galaxy map: one <canvas>, every world a point coloured by
// its sovereign, the player's fleets as markers, travelling fleets with a
// line to their destination and their eta.  Pan (drag, arrow keys), zoom
// (wheel, +/-), fit (0); a click selects the nearest fleet or world.
//
// Drawing is kept cheap for thousands of worlds: positions are bucketed by
// colour when the data changes (not per frame), so a frame is one path and
// one fill per sovereign colour, plus the fleets.

const PLAYER_COLOUR = '#4fc3f7';
const NEUTRAL_COLOUR = '#8a8f98';

export function sovereignColour(id, player) {
  if (id === player && player) return PLAYER_COLOUR;
  if (!id) return NEUTRAL_COLOUR;
  const hue = (Number(id) * 137.508) % 360;
  // keep clear of the player's blue
  const h = hue > 180 && hue < 220 ? hue + 60 : hue;
  return `hsl(${h.toFixed(0)}, 65%, 58%)`;
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
    this.buckets = [];          // [{colour, xy: Float32Array}]
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
      const c = sovereignColour(w.sovereign, this.player);
      let g = groups.get(c);
      if (!g) groups.set(c, (g = []));
      g.push(w.x, w.y);
    }
    this.buckets = [...groups].map(([colour, xy]) => ({ colour, xy: Float32Array.from(xy) }));
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
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = '#0b0e14';
    ctx.fillRect(0, 0, w, h);
    this.drawWorlds(ctx, w, h);
    this.drawFleets(ctx, w, h);
    this.drawSelection(ctx);
    this.lastFrameMs = performance.now() - t0;
    return this.lastFrameMs;
  }

  // Points are whole-pixel squares drawn with fillRect: the rasteriser's
  // fast path (no anti-aliased path filling), one fillStyle per sovereign.
  drawWorlds(ctx, w, h) {
    const { cx, cy, scale } = this.view;
    const r = Math.round(Math.min(Math.max(scale * 3, 3), 6));
    const half = r / 2;
    const ox = w / 2 - cx * scale - half, oy = h / 2 + cy * scale - half;
    for (const b of this.buckets) {
      const xy = b.xy;
      ctx.fillStyle = b.colour;
      for (let i = 0; i < xy.length; i += 2) {
        const sx = (xy[i] * scale + ox) | 0, sy = (oy - xy[i + 1] * scale) | 0;
        if (sx < -r || sy < -r || sx > w || sy > h) continue;
        ctx.fillRect(sx, sy, r, r);
      }
    }
    // Names only when zoomed in enough to read them, and never too many.
    if (scale > 2.5) {
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

  // All routes in one stroked path, all markers in one filled path per
  // colour; eta labels only while few enough to read (else: click).
  drawFleets(ctx, w, h) {
    const vis = (sx, sy) => sx > -10 && sy > -10 && sx < w + 10 && sy < h + 10;
    const routes = new Path2D();
    const labels = [];
    for (const f of this.fleets) {
      if (!f.dest) continue;
      const [sx, sy] = this.toScreen(f.x, f.y);
      const [dx, dy] = this.toScreen(f.dest.x, f.dest.y);
      routes.moveTo(sx, sy);
      routes.lineTo(dx, dy);
      if (vis(sx, sy)) labels.push([f, (sx + dx) / 2 + 4, (sy + dy) / 2 - 4]);
    }
    ctx.save();
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = 'rgba(255, 213, 79, 0.8)';
    ctx.stroke(routes);
    ctx.setLineDash([]);
    if (labels.length <= 60) {
      ctx.fillStyle = '#ffd54f';
      ctx.font = '11px system-ui, sans-serif';
      for (const [f, x, y] of labels) {
        const eta = this.formatEta(f);
        if (eta) ctx.fillText(eta, x, y);
      }
    }
    const markers = new Map();
    for (const f of this.fleets) {
      const [sx, sy] = this.toScreen(f.x, f.y);
      if (!vis(sx, sy)) continue;
      const own = !this.player || f.sovereign === this.player || f.sovereign === undefined;
      const colour = own ? '#ffd54f' : sovereignColour(f.sovereign, this.player);
      let p = markers.get(colour);
      if (!p) markers.set(colour, (p = new Path2D()));
      p.moveTo(sx, sy - 7);
      p.lineTo(sx + 6, sy + 5);
      p.lineTo(sx - 6, sy + 5);
      p.closePath();
    }
    ctx.strokeStyle = '#0b0e14';
    for (const [colour, p] of markers) {
      ctx.fillStyle = colour;
      ctx.fill(p);
      ctx.stroke(p);
    }
    ctx.restore();
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
      };
      const fn = keys[e.key];
      if (fn) { e.preventDefault(); fn(); }
    });
    new ResizeObserver(() => this.requestDraw()).observe(c);
  }
}
