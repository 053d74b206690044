/**
 * The page's script: reads the JSON island, redraws the visible window with the shared drawing on
 * zoom, pan and resize, shows tooltips, and moves the window to a report when its mark is asked
 * for. Nothing is fetched. Plain JavaScript source, embedded in the page as it is.
 *
 * One function of about 210 lines, on purpose: a closure whose event handlers share the window's
 * state (the ticks shown, the drawing, a drag in progress).
 */
import { DRAWING_SOURCE, VIEW_GUTTER, VIEW_RIGHT } from './drawing.js';

/** The script's source (the page checks that it holds neither "</script" nor "<!--"). */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var V = ${DRAWING_SOURCE};
  var model = V.decode(JSON.parse(document.getElementById('timeline-data').textContent));
  var svg = document.getElementById('timeline');
  var ov = document.getElementById('overview');
  var controls = document.getElementById('tl-controls');
  var rangeText = document.getElementById('tl-range');
  var atText = document.getElementById('tl-at');
  var tipBox = document.getElementById('tl-tip');
  var drawn = null;
  var overviewWidth = 0;
  var GUTTER = ${VIEW_GUTTER}, RIGHT = ${VIEW_RIGHT};
  var full = [model.start, model.end];
  var view = [full[0], full[1]];
  var MIN_TICKS = 8;
  var width = 0;
  controls.hidden = false;

  function clamp(t0, t1) {
    var span = Math.min(full[1] - full[0], Math.max(MIN_TICKS, t1 - t0));
    t0 = Math.max(full[0], Math.min(t0, full[1] - span));
    return [t0, t0 + span];
  }
  function round(t) { return Math.round(t * 10) / 10; }
  function render() {
    width = Math.max(360, Math.floor(svg.parentNode.clientWidth));
    drawn = V.draw(model, view[0], view[1], width, false);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + drawn.height);
    svg.innerHTML = drawn.svg;
    svg.setAttribute('data-t0', round(view[0]));
    svg.setAttribute('data-t1', round(view[1]));
    if (overviewWidth !== width) {
      var o = V.overview(model, view[0], view[1], width);
      if (o.height > 0) { ov.setAttribute('viewBox', '0 0 ' + width + ' ' + o.height); ov.innerHTML = o.svg; }
      overviewWidth = width;
    }
    outline(view[0], view[1]);
    tipBox.hidden = true;
    var span = view[1] - view[0];
    var zoomed = span < full[1] - full[0] ? ', ' + round((full[1] - full[0]) / span) + '× zoom' : '';
    rangeText.textContent = 'ticks ' + Math.round(view[0]) + '–' + Math.round(view[1]) + ' (' + Math.round(span) +
      ' ticks, ' + round(span / 10) + ' µs' + zoomed + ')';
  }
  /** Moves the overview's outline to ticks a..b. */
  function outline(a, b) {
    var w = document.getElementById('ov-window');
    if (!w) return;
    var s = plotWidth() / Math.max(1, model.runEnd);
    w.setAttribute('x', GUTTER + a * s);
    w.setAttribute('width', Math.max(2, (b - a) * s));
  }
  /** The tooltip of the mark nearest the pointer (within 3 px), from the drawing's boxes. */
  function showTip(e, x) {
    var box = svg.getBoundingClientRect();
    var y = (e.clientY - box.top) * (width / box.width);
    var best = -1, bestDistance = 4;
    for (var i = 0, b = drawn.boxes; i < b.length; i += 4) {
      if (y < b[i + 1] || y > b[i + 3]) continue;
      var distance = x < b[i] ? b[i] - x : x > b[i + 2] ? x - b[i + 2] : 0;
      if (distance < bestDistance) { bestDistance = distance; best = i / 4; }
    }
    if (best < 0 || drag !== null && drag.moved) { tipBox.hidden = true; return; }
    tipBox.textContent = drawn.texts[best];
    tipBox.hidden = false;
    var left = e.clientX + 14, top = e.clientY + 14;
    if (left + tipBox.offsetWidth > innerWidth - 4) left = Math.max(4, e.clientX - 14 - tipBox.offsetWidth);
    if (top + tipBox.offsetHeight > innerHeight - 4) top = Math.max(4, e.clientY - 14 - tipBox.offsetHeight);
    tipBox.style.left = left + 'px';
    tipBox.style.top = top + 'px';
  }
  var queued = false;
  function setView(t0, t1, now) {
    view = clamp(t0, t1);
    if (now) { render(); return; }
    if (!queued) { queued = true; requestAnimationFrame(function () { queued = false; render(); }); }
  }
  function plotWidth() { return width - GUTTER - RIGHT; }
  /** The tick under a client x, for an element drawn at the page's width. */
  function tickAt(el, clientX) {
    var box = el.getBoundingClientRect();
    var x = (clientX - box.left) * (width / box.width);
    return { x: x, tick: view[0] + ((x - GUTTER) / plotWidth()) * (view[1] - view[0]) };
  }
  function zoom(factor, at) {
    var t = at === undefined ? (view[0] + view[1]) / 2 : at;
    setView(t - (t - view[0]) * factor, t + (view[1] - t) * factor);
  }
  function pan(fraction) {
    var d = (view[1] - view[0]) * fraction;
    setView(view[0] + d, view[1] + d);
  }
  function showMark(index) {
    var r = null;
    for (var k = 0; k < model.lanes.length && r === null; k++) {
      var marks = model.lanes[k].reports;
      for (var i = 0; i < marks.length; i += 3) if (marks[i + 1] === index) { r = marks[i]; break; }
    }
    if (r === null) return false;
    var half = Math.max(20, Math.min(2000, (full[1] - full[0]) / 16));
    setView(r - half, r + half, true);
    var el = document.getElementById('mark-' + index);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.classList.add('flash');
      setTimeout(function () { el.classList.remove('flash'); }, 1500);
    }
    return true;
  }
  function fromHash() {
    var h = decodeURIComponent(location.hash.slice(1));
    var m = /^ticks=(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(h);
    if (m) { setView(Number(m[1]), Number(m[2]), true); return; }
    m = /^mark-(\d+)$/.exec(h);
    if (m) showMark(Number(m[1]));
  }

  controls.addEventListener('click', function (e) {
    var act = e.target.closest('button') && e.target.closest('button').getAttribute('data-act');
    if (act === 'in') zoom(0.5);
    else if (act === 'out') zoom(2);
    else if (act === 'left') pan(-0.25);
    else if (act === 'right') pan(0.25);
    else if (act === 'all') setView(full[0], full[1]);
  });
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#mark-"]');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (showMark(Number(a.getAttribute('href').slice(6)))) e.preventDefault();
  });
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    if (e.key === '+' || e.key === '=') zoom(0.5);
    else if (e.key === '-' || e.key === '_') zoom(2);
    else if (e.key === '0') setView(full[0], full[1]);
    else if (e.key === 'ArrowLeft') pan(-0.25);
    else if (e.key === 'ArrowRight') pan(0.25);
    else return;
    e.preventDefault();
  });
  svg.addEventListener('wheel', function (e) {
    var horizontal = Math.abs(e.deltaX) > Math.abs(e.deltaY);
    if (!(e.ctrlKey || e.metaKey) && !horizontal && !e.shiftKey) return;
    e.preventDefault();
    var factor = Math.pow(2, Math.max(-1, Math.min(1, e.deltaY / 120)));
    if (e.ctrlKey || e.metaKey) zoom(factor, tickAt(svg, e.clientX).tick);
    else pan((horizontal ? e.deltaX : e.deltaY) / 600);
  }, { passive: false });
  svg.addEventListener('dblclick', function (e) {
    e.preventDefault();
    zoom(e.shiftKey ? 2 : 0.5, tickAt(svg, e.clientX).tick);
  });
  var drag = null;
  svg.addEventListener('pointerdown', function (e) {
    if (e.button !== 0 || tickAt(svg, e.clientX).x < GUTTER) return;
    drag = { x: e.clientX, view: view.slice(), moved: false, id: e.pointerId };
  });
  svg.addEventListener('pointermove', function (e) {
    var at = tickAt(svg, e.clientX);
    var cursor = document.getElementById('tl-cursor');
    var inside = at.x >= GUTTER && at.x <= width - RIGHT;
    if (cursor) {
      cursor.setAttribute('x1', at.x); cursor.setAttribute('x2', at.x);
      cursor.setAttribute('visibility', inside ? 'visible' : 'hidden');
    }
    atText.textContent = inside ? 'tick ' + Math.round(at.tick) + ' (' + round(at.tick / 10) + ' µs)' : '';
    showTip(e, at.x);
    if (drag === null) return;
    if (!drag.moved && Math.abs(e.clientX - drag.x) < 4) return;
    if (!drag.moved) { drag.moved = true; svg.setPointerCapture(drag.id); svg.classList.add('dragging'); }
    var box = svg.getBoundingClientRect();
    var dt = ((e.clientX - drag.x) * (width / box.width) / plotWidth()) * (drag.view[1] - drag.view[0]);
    setView(drag.view[0] - dt, drag.view[1] - dt);
  });
  var dragged = false;
  function endDrag() {
    if (drag !== null && drag.moved) {
      svg.classList.remove('dragging');
      // The click that ends a drag does not follow a mark's link.
      dragged = true;
      setTimeout(function () { dragged = false; }, 0);
    }
    drag = null;
  }
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);
  svg.addEventListener('pointerleave', function () { atText.textContent = ''; tipBox.hidden = true; });
  svg.addEventListener('click', function (e) { if (dragged) { e.preventDefault(); e.stopPropagation(); } }, true);

  var brush = null;
  function overviewTick(e) {
    var box = ov.getBoundingClientRect();
    var x = (e.clientX - box.left) * (width / box.width);
    return Math.max(0, Math.min(model.runEnd, ((x - GUTTER) / plotWidth()) * model.runEnd));
  }
  ov.addEventListener('pointerdown', function (e) {
    if (e.button !== 0) return;
    brush = { from: overviewTick(e), x: e.clientX };
    ov.setPointerCapture(e.pointerId);
  });
  ov.addEventListener('pointermove', function (e) {
    if (brush === null || Math.abs(e.clientX - brush.x) < 4) return;
    outline(Math.min(brush.from, overviewTick(e)), Math.max(brush.from, overviewTick(e)));
  });
  ov.addEventListener('pointerup', function (e) {
    if (brush === null) return;
    var t = overviewTick(e);
    if (Math.abs(e.clientX - brush.x) >= 4) setView(Math.min(brush.from, t), Math.max(brush.from, t));
    else { var half = (view[1] - view[0]) / 2; setView(t - half, t + half); }
    brush = null;
  });
  window.addEventListener('resize', function () { setView(view[0], view[1]); });
  window.addEventListener('hashchange', fromHash);
  render();
  fromHash();
})();
`;
