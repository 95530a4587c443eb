#!/usr/bin/env python3
"""Draws the hand-written digit pictures under Tests/Fixtures/digits/.

Two kinds, each laid out as KIND/<digit>/<n>.png (the layout `predict DIR`
reads to report accuracy):

  small/   about 32x32 RGBA: dark ink on a transparent background, as drawn
           in a small pixel editor or exported from a tablet app; the digit
           fills half to all of the picture, sometimes touching its edge.
  canvas/  about 1000x800 RGB: black strokes on white, as drawn with a
           mouse in a paint program or a finger on a phone; the digit
           anywhere on the canvas, from tiny (5% of its height) to filling
           it, sometimes touching an edge.

People draw digits very differently from MNIST's writers, and a model
trained on MNIST reads such drawings worst where they differ most. So every
digit comes in several styles (see STYLES): the round school forms, and
boxy (seven-segment-like) and angular ones with straight strokes and sharp
corners, flat and narrow 0s, 7s with and without a bar, open and closed 4s,
1s with and without flag and base, 9s with straight and curved tails. Each
picture takes the next style in turn and then draws it its own way: the
points jittered, a strong slant or tilt either way, stretched or squashed,
a hairline, ordinary or thick (finger) pen whose pressure varies, the line
wobbling, rendered anti-aliased (coverage from the distance to the stroke's
centre line).

Only the Python standard library is used (zlib for PNG). Deterministic:
running it again writes the same files.

    python3 Tests/Fixtures/digits/generate.py [--count 24] [--out DIR]
"""

import argparse
import math
import os
import random
import struct
import zlib


class Line(list):
    """A stroke of straight segments: the pen turns sharply at every point
    (a boxy, angular hand), where a plain list is a smooth curve."""


def L(*points):
    return Line(points)


def loop(cx, cy, rx, ry, turns=1.08, start=-75, n=10):
    """Points of an oval drawn counter-clockwise on screen from `start`
    degrees (0 = right, -90 = top), `turns` times round (a little over 1
    overlaps where it closes, as a quick hand does; under 1 leaves a gap)."""
    return [(cx + rx * math.cos(math.radians(start - 360 * turns * i / n)),
             cy + ry * math.sin(math.radians(start - 360 * turns * i / n))) for i in range(n + 1)]


# Styles per digit: each style is a list of strokes in a unit box (x right,
# y down). A plain list is a smooth curve through its points; `L(...)` is
# straight segments with sharp corners. Strokes that share a point stay
# joined there. The styles are the ways people draw a digit with a mouse or
# a finger, the neat school forms and the ones a model trained on MNIST
# reads worst: boxy (seven-segment-like) and angular digits, flat and
# narrow 0s, crossed and uncrossed 7s, open and closed 4s, 1s with and
# without flag and base, 9s with straight and curved tails.
STYLES = {
    0: [
        [[(0.55, 0.02), (0.25, 0.12), (0.08, 0.45), (0.18, 0.85), (0.5, 0.99), (0.82, 0.82), (0.92, 0.42),
          (0.76, 0.1), (0.5, 0.02), (0.38, 0.08)]],
        [loop(0.5, 0.5, 0.5, 0.26)],  # flat (wide)
        [L((0.62, 0.03), (0.14, 0.03), (0.1, 0.97), (0.9, 0.97), (0.88, 0.03), (0.52, 0.05))],  # boxy
        [loop(0.5, 0.5, 0.2, 0.5, turns=1.04)],  # narrow
        [L((0.5, 0.22), (0.0, 0.26), (0.04, 0.8), (1.0, 0.78), (0.96, 0.22), (0.42, 0.24))],  # flat and boxy
        [loop(0.5, 0.5, 0.42, 0.5, turns=0.96, start=-60)],  # not quite closed
        [L((0.5, 0.0), (0.12, 0.3), (0.15, 0.78), (0.5, 1.0), (0.88, 0.72), (0.86, 0.25), (0.45, 0.02))],  # angular
    ],
    1: [
        [[(0.52, 0.0), (0.5, 0.5), (0.47, 1.0)]],
        [[(0.34, 0.22), (0.52, 0.0)], [(0.52, 0.0), (0.51, 0.5), (0.5, 1.0)]],
        [[(0.34, 0.2), (0.5, 0.0)], [(0.5, 0.0), (0.5, 1.0)], [(0.28, 1.0), (0.74, 1.0)]],
        [L((0.34, 0.26), (0.6, 0.0), (0.6, 1.0))],  # straight flag
        [L((0.3, 0.24), (0.56, 0.0), (0.56, 1.0)), L((0.18, 1.0), (0.92, 1.0))],  # flag and wide base
        [L((0.5, 0.0), (0.5, 1.0)), L((0.3, 1.0), (0.7, 1.0))],  # base, no flag
    ],
    2: [
        [[(0.12, 0.25), (0.32, 0.04), (0.64, 0.03), (0.84, 0.22), (0.76, 0.48), (0.45, 0.74), (0.1, 0.98)],
         [(0.1, 0.98), (0.5, 0.95), (0.92, 0.97)]],
        [[(0.1, 0.3), (0.35, 0.03), (0.72, 0.07), (0.78, 0.38), (0.35, 0.78), (0.1, 0.97), (0.22, 0.86),
          (0.45, 0.9), (0.7, 0.99), (0.93, 0.94)]],
        [L((0.06, 0.03), (0.94, 0.03), (0.94, 0.5), (0.06, 0.5), (0.06, 0.97), (0.94, 0.97))],  # boxy
        [L((0.08, 0.2), (0.42, 0.0), (0.86, 0.1), (0.9, 0.3), (0.08, 0.98), (0.96, 0.96))],  # angular (Z-like)
        [[(0.1, 0.25), (0.4, 0.02), (0.8, 0.08), (0.84, 0.34)], L((0.84, 0.34), (0.06, 0.97), (0.95, 0.97))],
        [L((0.0, 0.22), (0.98, 0.22), (0.98, 0.5), (0.02, 0.78), (1.0, 0.78))],  # flat and boxy
    ],
    3: [
        [[(0.12, 0.14), (0.45, 0.0), (0.8, 0.12), (0.8, 0.34), (0.42, 0.48)],
         [(0.42, 0.48), (0.84, 0.62), (0.86, 0.88), (0.5, 1.0), (0.1, 0.9)]],
        [[(0.1, 0.03), (0.5, 0.02), (0.86, 0.03)], [(0.86, 0.03), (0.38, 0.42)],
         [(0.38, 0.42), (0.8, 0.55), (0.88, 0.84), (0.52, 1.0), (0.12, 0.9)]],
        [L((0.08, 0.03), (0.92, 0.03), (0.92, 0.97), (0.08, 0.97)), L((0.3, 0.5), (0.92, 0.5))],  # boxy
        [L((0.1, 0.02), (0.9, 0.02), (0.4, 0.42), (0.9, 0.64), (0.62, 0.98), (0.06, 0.94))],  # flat top, angular
        [L((0.1, 0.08), (0.74, 0.02), (0.86, 0.22), (0.38, 0.48), (0.9, 0.7), (0.76, 0.98), (0.06, 0.95))],
        [L((0.15, 0.0), (0.85, 0.12), (0.45, 0.5), (0.88, 0.86), (0.12, 1.0))],  # zigzag
    ],
    4: [
        [[(0.66, 0.0), (0.06, 0.68)], [(0.06, 0.68), (0.5, 0.69), (0.95, 0.67)], [(0.66, 0.0), (0.67, 0.5), (0.68, 1.0)]],
        [[(0.18, 0.0), (0.12, 0.6)], [(0.12, 0.6), (0.5, 0.61), (0.92, 0.58)], [(0.72, 0.12), (0.73, 0.6), (0.74, 1.0)]],
        [L((0.7, 1.0), (0.7, 0.0), (0.04, 0.66), (0.96, 0.66))],  # closed, one stroke
        [L((0.14, 0.0), (0.1, 0.6), (0.94, 0.6)), L((0.72, 0.02), (0.72, 1.0))],  # open, boxy
        [L((0.42, 0.0), (0.04, 0.62), (0.96, 0.62)), L((0.7, 0.22), (0.7, 1.0))],  # open, slanted
        [L((0.62, 0.0), (0.08, 0.55), (0.8, 0.55)), L((0.62, 0.0), (0.64, 1.0))],  # closed, short bar
    ],
    5: [
        [[(0.25, 0.02), (0.18, 0.45)], [(0.18, 0.45), (0.5, 0.36), (0.82, 0.54), (0.84, 0.84), (0.5, 1.0), (0.1, 0.9)],
         [(0.25, 0.02), (0.55, 0.02), (0.86, 0.0)]],
        [[(0.86, 0.02), (0.5, 0.03), (0.22, 0.04)], [(0.22, 0.04), (0.16, 0.47)],
         [(0.16, 0.47), (0.55, 0.38), (0.86, 0.62), (0.7, 0.94), (0.35, 0.99), (0.1, 0.86)]],
        [L((0.94, 0.03), (0.06, 0.03), (0.06, 0.48), (0.94, 0.48), (0.94, 0.97), (0.06, 0.97))],  # boxy
        [L((0.2, 0.02), (0.9, 0.02)), L((0.2, 0.02), (0.14, 0.44), (0.72, 0.4), (0.9, 0.66), (0.74, 0.96),
                                         (0.08, 0.95))],  # angular
        [L((0.9, 0.0), (0.2, 0.02), (0.12, 0.5)), [(0.12, 0.5), (0.5, 0.38), (0.9, 0.62), (0.72, 0.95), (0.3, 1.0),
                                                     (0.05, 0.85)]],
    ],
    6: [
        [[(0.76, 0.02), (0.45, 0.16), (0.2, 0.46), (0.14, 0.76), (0.35, 0.98), (0.7, 0.95), (0.84, 0.72),
          (0.62, 0.52), (0.3, 0.57), (0.17, 0.74)]],
        [[(0.68, 0.0), (0.4, 0.22), (0.2, 0.5), (0.18, 0.8), (0.4, 0.99), (0.7, 0.93), (0.78, 0.72),
          (0.55, 0.56), (0.3, 0.62), (0.2, 0.75)]],
        [L((0.78, 0.03), (0.08, 0.03), (0.08, 0.97), (0.92, 0.97), (0.92, 0.52), (0.08, 0.52))],  # boxy
        [L((0.62, 0.0), (0.12, 0.56), (0.12, 0.97), (0.88, 0.97), (0.88, 0.56), (0.12, 0.56))],  # angular
        [[(0.8, 0.0), (0.4, 0.2), (0.18, 0.6), (0.25, 0.95), (0.6, 0.98), (0.72, 0.78), (0.5, 0.62), (0.22, 0.72)]],
        [L((0.72, 0.0), (0.16, 0.45), (0.1, 0.9), (0.55, 1.0), (0.9, 0.75), (0.6, 0.48), (0.14, 0.62))],
    ],
    7: [
        [[(0.08, 0.05), (0.5, 0.04), (0.9, 0.03)], [(0.9, 0.03), (0.66, 0.42), (0.44, 1.0)]],
        [[(0.08, 0.05), (0.5, 0.04), (0.9, 0.03)], [(0.9, 0.03), (0.66, 0.42), (0.46, 1.0)],
         [(0.38, 0.53), (0.62, 0.52), (0.86, 0.5)]],
        [[(0.1, 0.14), (0.12, 0.04)], [(0.12, 0.04), (0.5, 0.05), (0.88, 0.02)], [(0.88, 0.02), (0.6, 0.5), (0.5, 1.0)]],
        [L((0.04, 0.02), (0.96, 0.02), (0.36, 1.0))],  # straight
        [L((0.04, 0.02), (0.96, 0.02), (0.44, 1.0)), L((0.3, 0.52), (0.92, 0.5))],  # crossed, straight
        [L((0.06, 0.02), (0.92, 0.02), (0.86, 1.0))],  # boxy, upright stem
        [[(0.06, 0.06), (0.5, 0.04), (0.92, 0.03)], [(0.92, 0.03), (0.6, 0.4), (0.46, 0.74), (0.42, 1.0)],
         L((0.3, 0.5), (0.86, 0.48))],  # crossed, curved stem
    ],
    8: [
        [[(0.78, 0.12), (0.5, 0.0), (0.2, 0.12), (0.25, 0.35), (0.5, 0.48), (0.8, 0.65), (0.8, 0.9), (0.5, 1.0),
          (0.2, 0.9), (0.2, 0.65), (0.5, 0.48), (0.75, 0.33), (0.78, 0.12), (0.7, 0.05)]],
        [[(0.5, 0.02), (0.25, 0.1), (0.25, 0.38), (0.5, 0.47), (0.75, 0.38), (0.75, 0.1), (0.5, 0.02)],
         [(0.5, 0.47), (0.15, 0.62), (0.18, 0.92), (0.5, 1.0), (0.84, 0.9), (0.85, 0.62), (0.5, 0.47)]],
        [L((0.5, 0.48), (0.2, 0.36), (0.22, 0.03), (0.78, 0.03), (0.8, 0.36), (0.5, 0.48), (0.12, 0.62), (0.14, 0.97),
           (0.86, 0.97), (0.88, 0.62), (0.5, 0.48))],  # angular, pinched in the middle
        [L((0.18, 0.02), (0.82, 0.02), (0.82, 0.46), (0.18, 0.46), (0.18, 0.02)),
         L((0.1, 0.46), (0.9, 0.46), (0.9, 0.98), (0.1, 0.98), (0.1, 0.46))],  # two boxes
        [loop(0.5, 0.24, 0.28, 0.24, turns=1.02, start=90), loop(0.5, 0.73, 0.4, 0.27, turns=1.02, start=-90)],
        [L((0.8, 0.05), (0.2, 0.02), (0.22, 0.42), (0.85, 0.6), (0.82, 0.98), (0.15, 0.96), (0.16, 0.6),
           (0.78, 0.42), (0.8, 0.05))],  # angular, one stroke
    ],
    9: [
        [[(0.8, 0.2), (0.5, 0.02), (0.2, 0.15), (0.22, 0.4), (0.5, 0.48), (0.78, 0.35), (0.8, 0.15)],
         [(0.8, 0.15), (0.78, 0.6), (0.72, 1.0)]],
        [[(0.82, 0.22), (0.55, 0.02), (0.22, 0.1), (0.18, 0.38), (0.45, 0.5), (0.8, 0.35), (0.82, 0.2)],
         [(0.82, 0.2), (0.8, 0.6), (0.62, 0.92), (0.3, 0.97)]],
        [L((0.92, 0.5), (0.08, 0.5), (0.08, 0.03), (0.92, 0.03), (0.92, 0.97), (0.08, 0.97))],  # boxy
        [L((0.9, 0.52), (0.1, 0.52), (0.1, 0.02), (0.9, 0.02), (0.9, 1.0))],  # boxy, straight tail
        [[(0.85, 0.15), (0.55, 0.0), (0.18, 0.08), (0.2, 0.34), (0.55, 0.4), (0.85, 0.22), (0.85, 0.1)],
         L((0.85, 0.1), (0.8, 1.0))],  # small head, long tail
        [L((0.84, 0.5), (0.12, 0.5), (0.2, 0.02), (0.88, 0.05), (0.84, 0.5), (0.6, 1.0))],  # angular, slanted tail
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


def straight(points, samples_per_segment):
    """Straight segments through `points`, sampled evenly, corners kept sharp."""
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        out += [(x0 + (x1 - x0) * t / samples_per_segment, y0 + (y1 - y0) * t / samples_per_segment)
                for t in range(samples_per_segment)]
    out.append(points[-1])
    return out


def hand_drawn(digit, variant, rng):
    """The digit's strokes as lists of (x, y) in a unit box, drawn like a hand:
    style `variant` (in turn), jittered, slanted or tilted either way,
    stretched or squashed, the line wobbling."""
    styles = STYLES[digit]
    strokes = styles[variant % len(styles)]
    jitter = rng.uniform(0.01, 0.035)
    slant = rng.choice([rng.uniform(-0.1, 0.3), rng.uniform(-0.1, 0.3), rng.uniform(-0.4, -0.15),
                        rng.uniform(0.3, 0.5)])
    if digit == 4:
        slant = max(slant, -0.12)  # a closed 4 leaning left reads as an A
    if digit == 1:
        slant = min(slant, 0.3)  # a flagged 1 leaning far right reads as a 7
    rotation = math.radians(rng.choice([rng.uniform(-7, 7), rng.uniform(-7, 7), rng.uniform(-14, 14)]))
    # Width over height: squashed to stretched (log-uniform, 0.6 to 1.6).
    stretch = math.exp(rng.uniform(math.log(0.6), math.log(1.6)))
    # Shared jitter for points that are the same (corners stay joined).
    moved = {}

    def move(point):
        if point not in moved:
            moved[point] = (point[0] + rng.gauss(0, jitter), point[1] + rng.gauss(0, jitter))
        return moved[point]

    out = []
    for stroke in strokes:
        points = [move(p) for p in stroke]
        dense = straight(points, 24) if isinstance(stroke, Line) else catmull_rom(points, 24)
        wobble = smooth_noise(rng, 1.0)
        amplitude = rng.uniform(0.002, 0.01)
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


def normalised(strokes, digit):
    """The strokes moved and scaled so their bounding box is (0, 0)-(aspect, 1); returns (strokes, aspect).

    The aspect (width over height) is kept within what still reads as the
    digit: at most 2 for a 0 (a flat 0), 1.2 for the others; at least 0.35
    (but a 1 may be a bare line)."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    height = max(ys) - min(ys)
    aspect = (max(xs) - min(xs)) / height
    wanted = min(max(aspect, 0.0 if digit == 1 else 0.35), 2.0 if digit == 0 else 1.2)
    squeeze = wanted / aspect
    moved = [[((x - min(xs)) / height * squeeze, (y - min(ys)) / height) for x, y in stroke] for stroke in strokes]
    return moved, wanted


def pen_width(rng, height):
    """A pen for a digit `height` pixels tall: a hairline, an ordinary pen or
    mouse brush, or a thick finger or marker stroke (about a tenth of the
    digit's height)."""
    kind = rng.choice(["hairline", "ordinary", "ordinary", "thick"])
    if kind == "hairline":
        return rng.uniform(1.0, 1.4)
    if kind == "ordinary":
        return max(1.5, min(height * rng.uniform(0.05, 0.08), rng.uniform(2.0, 6.0)))
    return max(2.5, height * rng.uniform(0.09, 0.13))


def place(rng, extent, size, pen):
    """Where along one axis of `extent` pixels a digit `size` pixels long
    starts: anywhere inside, and one time in four touching the edge."""
    low, high = pen / 2, extent - size - pen / 2
    if high <= low:
        return (extent - size) / 2
    if rng.random() < 0.25:
        return rng.choice([low, high])
    return rng.uniform(low, high)


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
        if row == previous:  # blank paper under blank paper: 'up' gives zeros
            raw.append(2)
            raw += bytes(stride)
            continue
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
    strokes, aspect = normalised(hand_drawn(digit, variant, rng), digit)
    size = side * rng.uniform(0.5, 0.92)
    pen = pen_width(rng, size)
    size = min(size, (side - pen) / max(aspect, 1e-6), side - pen)
    left = place(rng, side, size * aspect, pen)
    top = place(rng, side, size, pen)
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
    """~1000x800 RGB: black strokes on white, the digit tiny to large, anywhere."""
    width = rng.choice([960, 1000, 1024])
    height = rng.choice([720, 768, 800])
    strokes, aspect = normalised(hand_drawn(digit, variant, rng), digit)
    size = height * rng.choice([rng.uniform(0.05, 0.12), rng.uniform(0.15, 0.6), rng.uniform(0.15, 0.6),
                                rng.uniform(0.6, 0.95)])
    pen = pen_width(rng, size)
    size = min(size, (width - pen) / max(aspect, 1e-6), height - pen)
    left = place(rng, width, size * aspect, pen)
    top = place(rng, height, size, pen)
    ink = render(strokes, width, height, (left, top, size), pen, rng)
    rows = []
    for y in range(height):
        line = ink[y * width:(y + 1) * width]
        if not any(line):
            rows.append(b"\xff" * (3 * width))
            continue
        row = bytearray(3 * width)
        for x, a in enumerate(line):
            v = 255 - a
            row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = v
        rows.append(bytes(row))
    return png(width, height, 3, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=24, help="pictures per digit and kind")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--kinds", default="small,canvas", help="which kinds to draw (comma-separated)")
    parser.add_argument("--digits", default="0,1,2,3,4,5,6,7,8,9", help="which digits to draw (comma-separated)")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    digits = [int(d) for d in args.digits.split(",")]
    for kind, draw, seed in (("small", small_picture, 1000), ("canvas", canvas_picture, 2000)):
        if kind not in kinds:
            continue
        for digit in digits:
            folder = os.path.join(args.out, kind, str(digit))
            os.makedirs(folder, exist_ok=True)
            for name in os.listdir(folder):
                if name.endswith(".png"):
                    os.remove(os.path.join(folder, name))
            for n in range(args.count):
                rng = random.Random(seed + 100 * digit + n)
                with open(os.path.join(folder, f"{n + 1}.png"), "wb") as f:
                    f.write(draw(digit, n, rng))


if __name__ == "__main__":
    main()
