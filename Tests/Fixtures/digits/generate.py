#!/usr/bin/env python3
"""Draws the hand-written digit pictures under Tests/Fixtures/digits/.

Two kinds, each laid out as KIND/<digit>/<n>.png (the layout `predict DIR`
reads to report accuracy):

  small/   about 32x32 RGBA: dark ink on a transparent background, a 1.5-3 px
           pen, the digit filling most of the picture, as drawn in a small
           pixel editor or exported from a tablet app.
  canvas/  about 1000x800 RGB: thin (2-4 px) black strokes on white, the
           digit anywhere on the canvas at 15-80% of its height, as drawn
           with a mouse in a paint program.

Every picture is pen strokes, not a font: each digit has a few handwriting
styles (7 with and without a bar, 1 with and without a flag, open and closed
4, ...) given as control points that a smooth (Catmull-Rom) curve passes
through; each variant jitters the points, slants, rotates and stretches the
digit, wobbles the line, varies the pressure along the stroke, and renders
it anti-aliased (coverage from the distance to the stroke's centre line).

Only the Python standard library is used (zlib for PNG). Deterministic:
running it again writes the same files.

    python3 Tests/Fixtures/digits/generate.py [--count 10] [--out DIR]
"""

import argparse
import math
import os
import random
import struct
import zlib

# Styles per digit: each style is a list of strokes; each stroke a list of
# (x, y) points in a unit box (x right, y down) that the pen passes through.
# A sharp corner is where one stroke ends and the next begins.
STYLES = {
    0: [
        [[(0.55, 0.02), (0.25, 0.12), (0.08, 0.45), (0.18, 0.85), (0.5, 0.99), (0.82, 0.82), (0.92, 0.42),
          (0.76, 0.1), (0.5, 0.02), (0.38, 0.08)]],
        [[(0.6, 0.03), (0.3, 0.05), (0.12, 0.35), (0.12, 0.7), (0.38, 0.98), (0.72, 0.9), (0.88, 0.55),
          (0.84, 0.18), (0.62, 0.02), (0.5, 0.06)]],
    ],
    1: [
        [[(0.52, 0.0), (0.5, 0.5), (0.47, 1.0)]],
        [[(0.3, 0.2), (0.52, 0.0)], [(0.52, 0.0), (0.51, 0.5), (0.5, 1.0)]],
        [[(0.3, 0.17), (0.5, 0.0)], [(0.5, 0.0), (0.5, 1.0)], [(0.28, 1.0), (0.74, 1.0)]],
    ],
    2: [
        [[(0.12, 0.25), (0.32, 0.04), (0.64, 0.03), (0.84, 0.22), (0.76, 0.48), (0.45, 0.74), (0.1, 0.98)],
         [(0.1, 0.98), (0.5, 0.95), (0.92, 0.97)]],
        [[(0.1, 0.3), (0.35, 0.03), (0.72, 0.07), (0.78, 0.38), (0.35, 0.78), (0.1, 0.97), (0.22, 0.86),
          (0.45, 0.9), (0.7, 0.99), (0.93, 0.94)]],
    ],
    3: [
        [[(0.12, 0.14), (0.45, 0.0), (0.8, 0.12), (0.8, 0.34), (0.42, 0.48)],
         [(0.42, 0.48), (0.84, 0.62), (0.86, 0.88), (0.5, 1.0), (0.1, 0.9)]],
        [[(0.1, 0.03), (0.5, 0.02), (0.86, 0.03)], [(0.86, 0.03), (0.38, 0.42)],
         [(0.38, 0.42), (0.8, 0.55), (0.88, 0.84), (0.52, 1.0), (0.12, 0.9)]],
    ],
    4: [
        [[(0.66, 0.0), (0.06, 0.68)], [(0.06, 0.68), (0.5, 0.69), (0.95, 0.67)], [(0.66, 0.0), (0.67, 0.5), (0.68, 1.0)]],
        [[(0.18, 0.0), (0.12, 0.6)], [(0.12, 0.6), (0.5, 0.61), (0.92, 0.58)], [(0.72, 0.12), (0.73, 0.6), (0.74, 1.0)]],
    ],
    5: [
        [[(0.25, 0.02), (0.18, 0.45)], [(0.18, 0.45), (0.5, 0.36), (0.82, 0.54), (0.84, 0.84), (0.5, 1.0), (0.1, 0.9)],
         [(0.25, 0.02), (0.55, 0.02), (0.86, 0.0)]],
        [[(0.86, 0.02), (0.5, 0.03), (0.22, 0.04)], [(0.22, 0.04), (0.16, 0.47)],
         [(0.16, 0.47), (0.55, 0.38), (0.86, 0.62), (0.7, 0.94), (0.35, 0.99), (0.1, 0.86)]],
    ],
    6: [
        [[(0.76, 0.02), (0.45, 0.16), (0.2, 0.46), (0.14, 0.76), (0.35, 0.98), (0.7, 0.95), (0.84, 0.72),
          (0.62, 0.52), (0.3, 0.57), (0.17, 0.74)]],
        [[(0.68, 0.0), (0.4, 0.22), (0.2, 0.5), (0.18, 0.8), (0.4, 0.99), (0.7, 0.93), (0.78, 0.72),
          (0.55, 0.56), (0.3, 0.62), (0.2, 0.75)]],
    ],
    7: [
        [[(0.08, 0.05), (0.5, 0.04), (0.9, 0.03)], [(0.9, 0.03), (0.66, 0.42), (0.44, 1.0)]],
        [[(0.08, 0.05), (0.5, 0.04), (0.9, 0.03)], [(0.9, 0.03), (0.66, 0.42), (0.46, 1.0)],
         [(0.38, 0.53), (0.62, 0.52), (0.86, 0.5)]],
        [[(0.1, 0.14), (0.12, 0.04)], [(0.12, 0.04), (0.5, 0.05), (0.88, 0.02)], [(0.88, 0.02), (0.6, 0.5), (0.5, 1.0)]],
    ],
    8: [
        [[(0.78, 0.12), (0.5, 0.0), (0.2, 0.12), (0.25, 0.35), (0.5, 0.48), (0.8, 0.65), (0.8, 0.9), (0.5, 1.0),
          (0.2, 0.9), (0.2, 0.65), (0.5, 0.48), (0.75, 0.33), (0.78, 0.12), (0.7, 0.05)]],
        [[(0.5, 0.02), (0.25, 0.1), (0.25, 0.38), (0.5, 0.47), (0.75, 0.38), (0.75, 0.1), (0.5, 0.02)],
         [(0.5, 0.47), (0.15, 0.62), (0.18, 0.92), (0.5, 1.0), (0.84, 0.9), (0.85, 0.62), (0.5, 0.47)]],
    ],
    9: [
        [[(0.8, 0.2), (0.5, 0.02), (0.2, 0.15), (0.22, 0.4), (0.5, 0.48), (0.78, 0.35), (0.8, 0.15)],
         [(0.8, 0.15), (0.78, 0.6), (0.72, 1.0)]],
        [[(0.82, 0.22), (0.55, 0.02), (0.22, 0.1), (0.18, 0.38), (0.45, 0.5), (0.8, 0.35), (0.82, 0.2)],
         [(0.82, 0.2), (0.8, 0.6), (0.62, 0.92), (0.3, 0.97)]],
    ],
}


def catmull_rom(points, samples_per_segment):
    """A smooth curve through `points`; a closed one (first point == last)
    is smooth where it closes, an open one repeats its endpoints as tangents."""
    if len(points) == 2:
        (x0, y0), (x1, y1) = points
        return [(x0 + (x1 - x0) * t / samples_per_segment, y0 + (y1 - y0) * t / samples_per_segment)
                for t in range(samples_per_segment + 1)]
    closed = points[0] == points[-1]
    padded = ([points[-2]] if closed else [points[0]]) + points + ([points[1]] if closed else [points[-1]])
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for s in range(samples_per_segment):
            t = s / samples_per_segment
            t2, t3 = t * t, t * t * t
            out.append(tuple(0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3) for k in range(2)))
    out.append(points[-1])
    return out


def smooth_noise(rng, length):
    """A slowly varying function on [0, 1] with values in about [-1, 1]."""
    waves = [(rng.uniform(0.5, 3.0), rng.uniform(0, 2 * math.pi), rng.uniform(0.3, 1.0)) for _ in range(3)]
    total = sum(a for _, _, a in waves)
    return lambda t: sum(a * math.sin(2 * math.pi * f * t * length + p) for f, p, a in waves) / total


def hand_drawn(digit, variant, rng):
    """The digit's strokes as lists of (x, y) in a unit box, jittered like a hand."""
    styles = STYLES[digit]
    strokes = styles[variant % len(styles)]
    jitter = rng.uniform(0.012, 0.03)
    slant = rng.uniform(-0.08, 0.32)  # most people lean right
    rotation = math.radians(rng.uniform(-6, 6))
    stretch = rng.uniform(0.8, 1.1)
    # Shared jitter for points that are the same (corners stay joined).
    moved = {}

    def move(point):
        if point not in moved:
            moved[point] = (point[0] + rng.gauss(0, jitter), point[1] + rng.gauss(0, jitter))
        return moved[point]

    out = []
    for stroke in strokes:
        points = [move(p) for p in stroke]
        dense = catmull_rom(points, 24)
        wobble = smooth_noise(rng, 1.0)
        amplitude = rng.uniform(0.002, 0.008)
        shaped = []
        for i, (x, y) in enumerate(dense):
            t = i / max(1, len(dense) - 1)
            # Perpendicular wobble.
            j = min(i + 1, len(dense) - 1)
            k = max(i - 1, 0)
            dx, dy = dense[j][0] - dense[k][0], dense[j][1] - dense[k][1]
            norm = math.hypot(dx, dy) or 1.0
            offset = amplitude * wobble(t)
            x, y = x - dy / norm * offset, y + dx / norm * offset
            # Slant, stretch, rotate about the centre.
            x = 0.5 + (x - 0.5) * stretch + slant * (0.5 - y)
            cx, cy = x - 0.5, y - 0.5
            x = 0.5 + cx * math.cos(rotation) - cy * math.sin(rotation)
            y = 0.5 + cx * math.sin(rotation) + cy * math.cos(rotation)
            shaped.append((x, y))
        out.append(shaped)
    return out


def normalised(strokes):
    """The strokes moved and scaled so their bounding box is (0, 0)-(aspect, 1); returns (strokes, aspect)."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    height = max(ys) - min(ys)
    moved = [[((x - min(xs)) / height, (y - min(ys)) / height) for x, y in stroke] for stroke in strokes]
    return moved, (max(xs) - min(xs)) / height


def render(strokes, width, height, box, pen, rng):
    """Coverage in [0, 1] per pixel of pen strokes mapped into `box`.

    box = (left, top, size): the unit square's image. The pen's radius varies
    along each stroke (pressure) around pen / 2.
    """
    left, top, size = box
    ink = bytearray(width * height)  # coverage * 255
    for stroke in strokes:
        pressure = smooth_noise(rng, 1.0)
        pts = [(left + x * size, top + y * size) for x, y in stroke]
        n = len(pts)
        for i in range(n - 1):
            (x0, y0), (x1, y1) = pts[i], pts[i + 1]
            t = i / max(1, n - 2)
            radius = max(0.45, pen / 2 * (1 + 0.18 * pressure(t)))
            reach = radius + 1.5
            xa, xb = int(math.floor(min(x0, x1) - reach)), int(math.ceil(max(x0, x1) + reach))
            ya, yb = int(math.floor(min(y0, y1) - reach)), int(math.ceil(max(y0, y1) + reach))
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy or 1e-12
            for py in range(max(0, ya), min(height, yb + 1)):
                cy = py + 0.5
                for px in range(max(0, xa), min(width, xb + 1)):
                    cx = px + 0.5
                    u = ((cx - x0) * dx + (cy - y0) * dy) / length2
                    u = 0.0 if u < 0 else 1.0 if u > 1 else u
                    d = math.hypot(cx - (x0 + u * dx), cy - (y0 + u * dy))
                    cover = radius + 0.5 - d
                    if cover > 0:
                        value = 255 if cover >= 1 else int(cover * 255 + 0.5)
                        index = py * width + px
                        if value > ink[index]:
                            ink[index] = value
    return ink


def png(width, height, channels, rows):
    """PNG bytes (8-bit grey/RGB/RGBA) with each row's filter chosen by the
    minimum-sum-of-absolute-differences heuristic, for small files."""
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    stride = width * channels
    raw = bytearray()
    previous = bytes(stride)
    for row in rows:
        candidates = []
        sub = bytes((row[i] - (row[i - channels] if i >= channels else 0)) & 0xFF for i in range(stride))
        up = bytes((row[i] - previous[i]) & 0xFF for i in range(stride))
        for kind, data in ((0, row), (1, sub), (2, up)):
            candidates.append((sum(b if b < 128 else 256 - b for b in data), kind, data))
        _, kind, data = min(candidates)
        raw.append(kind)
        raw += data
        previous = row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def small_picture(digit, variant, rng):
    """~32x32 RGBA: dark ink (black, dark grey or dark blue) on transparency."""
    side = rng.choice([28, 32, 32, 32, 36])
    strokes, aspect = normalised(hand_drawn(digit, variant, rng))
    pen = rng.uniform(1.5, 3.0)
    size = side * rng.uniform(0.6, 0.82)
    left = (side - size * aspect) / 2 + rng.uniform(-2.0, 2.0)
    top = (side - size) / 2 + rng.uniform(-2.0, 2.0)
    ink = render(strokes, side, side, (left, top, size), pen, rng)
    colour = rng.choice([(0, 0, 0), (20, 20, 20), (30, 30, 90), (60, 40, 30)])
    rows = []
    for y in range(side):
        row = bytearray()
        for x in range(side):
            a = ink[y * side + x]
            row += bytes(colour) + bytes([a]) if a else b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    return png(side, side, 4, rows)


def canvas_picture(digit, variant, rng):
    """~1000x800 RGB: thin black strokes on white, the digit off-centre."""
    width = rng.choice([960, 1000, 1024])
    height = rng.choice([720, 768, 800])
    strokes, aspect = normalised(hand_drawn(digit, variant, rng))
    pen = rng.uniform(2.0, 4.0)
    size = height * rng.uniform(0.15, 0.8)
    margin = 10 + pen
    left = rng.uniform(margin, width - size * aspect - margin)
    top = rng.uniform(margin, height - size - margin)
    ink = render(strokes, width, height, (left, top, size), pen, rng)
    rows = []
    for y in range(height):
        line = ink[y * width:(y + 1) * width]
        row = bytearray(3 * width)
        for x, a in enumerate(line):
            v = 255 - a
            row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = v
        rows.append(bytes(row))
    return png(width, height, 3, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="pictures per digit and kind")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    for kind, draw, seed in (("small", small_picture, 1000), ("canvas", canvas_picture, 2000)):
        for digit in range(10):
            folder = os.path.join(args.out, kind, str(digit))
            os.makedirs(folder, exist_ok=True)
            for n in range(args.count):
                rng = random.Random(seed + 100 * digit + n)
                with open(os.path.join(folder, f"{n + 1}.png"), "wb") as f:
                    f.write(draw(digit, n, rng))


if __name__ == "__main__":
    main()
