#!/usr/bin/env python3
"""Writes the seed corpora of the fuzzing harnesses under Fuzz/Corpus/<harness>/.

A few small valid inputs per harness, made here from nothing (no MNIST file
is copied), plus structure-aware seeds in the harnesses' `RPT!` form (see
Fuzz/Targets/FuzzTarget.swift), which expand to deep nesting and many
repetitions: the inputs a coverage-guided fuzzer does not build by itself.

Only the standard library; deterministic (running it again writes the same
files). `make fuzz-seeds` runs it.

    python3 Fuzz/make-seeds.py
"""

import gzip
import hashlib
import hmac
import io
import json
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "Corpus")
DIGITS = os.path.join(HERE, "..", "Tests", "Fixtures", "digits")


def rpt(prefix: bytes, unit: bytes, count: int, suffix: bytes = b"") -> bytes:
    """prefix + unit * count + suffix, in the harnesses' compact RPT! form."""
    return b"RPT!" + struct.pack("<IHH", count, len(prefix), len(unit)) + prefix + unit + suffix


def digit(rows=4, cols=4, value=1):
    """A tiny picture of a bar, as pixel rows."""
    return bytes((255 if c == cols // 2 else 0) if value else 0 for r in range(rows) for c in range(cols))


def idx_images(count=2, rows=4, cols=4):
    pixels = b"".join(digit(rows, cols) for _ in range(count))
    return struct.pack(">IIII", 0x803, count, rows, cols) + pixels


def idx_labels(labels=(3, 7)):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def npy(shape, data: bytes, descr="|u1", extra_header="") -> bytes:
    shape_text = f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, {extra_header}}}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def zip_archive(entries, deflated=False) -> bytes:
    """A zip of (name, data) entries, laid out as Python's zipfile writes it."""
    archive, central = b"", b""
    for name, data in entries:
        payload = data
        if deflated:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload = compressor.compress(data) + compressor.flush()
        method = 8 if deflated else 0
        crc = zlib.crc32(data)
        common = struct.pack("<HHHHIIIHH", 0, method, 0, 0x21, crc, len(payload), len(data), len(name), 0)
        offset = len(archive)
        archive += struct.pack("<IH", 0x04034B50, 20) + common + name.encode() + payload
        central += struct.pack("<IHH", 0x02014B50, 20, 20) + common
        central += struct.pack("<HHHII", 0, 0, 0, 0, offset) + name.encode()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(archive), 0)
    return archive + central + end


def mnist_arrays():
    return [
        ("x_train.npy", npy((2, 4, 4), digit() * 2)),
        ("y_train.npy", npy((2,), bytes([3, 7]))),
        ("x_test.npy", npy((1, 4, 4), digit())),
        ("y_test.npy", npy((1,), bytes([9]))),
    ]


def png(width, height, grey: bytes, alpha: bool = False) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    colour = 4 if alpha else 0
    stride = width * (2 if alpha else 1)
    rows = b"".join(b"\x00" + grey[r * stride:(r + 1) * stride] for r in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def bmp(width, height, grey: bytes) -> bytes:
    stride = (width * 3 + 3) & ~3
    rows = b""
    for r in reversed(range(height)):
        row = b"".join(bytes([grey[r * width + c]] * 3) for c in range(width))
        rows += row + b"\x00" * (stride - len(row))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(rows), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
    return header + info + rows


def model_file(header_json: str, data: bytes = b"") -> bytes:
    header = header_json.encode()
    return struct.pack("<Q", len(header)) + header + data


def tiny_model_header() -> str:
    """A dnb model of 2 inputs -> Dense 2 softmax: a 2x2 kernel and 2 biases."""
    architecture = '{\\"input_width\\":2,\\"layers\\":[{\\"units\\":2,\\"activation\\":\\"softmax\\"}]}'
    return (
        '{"__metadata__":{"format":"dnb-model","version":"1","architecture":"' + architecture + '",'
        '"normalization":"scale","epochs":"1"},'
        '"dense.kernel":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},'
        '"dense.bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}'
    )


def ipynb(cells, kernel="dnb") -> bytes:
    """An nbformat 4 notebook of (cell_type, source, outputs) cells, as Jupyter writes it."""
    metadata = {"language_info": {"name": "dnb"}}
    if kernel:
        metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "dnb"}
    notebook = {"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    for number, (kind, source, outputs) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": source}
        if kind == "code":
            cell["execution_count"] = number + 1 if outputs else None
            cell["outputs"] = outputs
        notebook["cells"].append(cell)
    return json.dumps(notebook, indent=1).encode()


# The key the jupyter-wire harness signs and checks with (FuzzTargets.wireKey).
WIRE_KEY = b"a0436f6c-1916-498b-8eb9-e81ab9368e84"
# Mode bits of the jupyter-wire harness: signatures as given; no key.
RAW, NO_KEY = 1, 2


def compact(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def wire_message(msg_type, content, number=1, identities=(b"client-1",), buffers=(), key=WIRE_KEY) -> bytes:
    """One signed Jupyter message, its frames joined by 0xFF (the harness's framing)."""
    header = {"msg_id": f"{msg_type}-{number}", "session": "fuzz-session", "username": "fuzz",
              "date": "2026-12-01T13:00:00.000000Z", "msg_type": msg_type, "version": "5.3"}
    parts = [compact(header), b"{}", b"{}", compact(content)]
    signature = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode() if key else b""
    return b"\xff".join(list(identities) + [b"<IDS|MSG>", signature] + parts + list(buffers))


def wire(mode, *messages) -> bytes:
    """A jupyter-wire input: the mode byte, then messages joined by 0xFE."""
    return bytes([mode]) + b"\xfe".join(messages)


def seeds():
    yield "idx", "images", idx_images()
    yield "idx", "labels", idx_labels()
    yield "idx", "images-gz", gz(idx_images())
    yield "idx", "many-labels", rpt(struct.pack(">II", 0x801, 50000), b"\x07", 50000)

    yield "gzip", "images", gz(idx_images())
    yield "gzip", "labels", gz(idx_labels())
    yield "gzip", "two-members", gz(idx_labels()[:5]) + gz(idx_labels()[5:])
    yield "gzip", "many-members", rpt(b"", gz(b"\x00"), 3000)

    yield "npy", "images", npy((2, 4, 4), digit() * 2)
    yield "npy", "labels", npy((2,), bytes([3, 7]))
    yield "npy", "labels-i8", npy((2,), struct.pack("<qq", 3, 7), descr="<i8")
    # Deep nesting: tens of thousands of '(' fit in a 64 KiB v1 header.
    yield "npy", "deep-shape", rpt(b"\x93NUMPY\x01\x00\xf0\xff{'descr': '|u1', 'fortran_order': False, 'shape': ",
                                   b"(", 65000, b")" * 4 + b"}\n")
    yield "npy", "long-shape", rpt(b"\x93NUMPY\x01\x00\xf0\xff{'descr': '|u1', 'fortran_order': False, 'shape': (",
                                   b"1, ", 20000, b"), }\n")

    yield "npz", "stored", zip_archive(mnist_arrays())
    yield "npz", "deflated", zip_archive(mnist_arrays(), deflated=True)
    yield "npz", "many-entries", zip_archive([(f"e{i}", bytes([i & 255])) for i in range(600)] + mnist_arrays())

    grey = digit(8, 8)
    yield "picture", "grey.png", png(8, 8, grey)
    yield "picture", "alpha.png", png(8, 8, b"".join(bytes([0, v]) for v in grey), alpha=True)
    yield "picture", "grey.pgm", b"P5\n# a bar\n8 8\n255\n" + grey
    yield "picture", "ascii.pgm", b"P2\n4 4\n255\n" + b" ".join(str(v).encode() for v in digit())
    yield "picture", "colour.ppm", b"P6\n8 8\n255\n" + b"".join(bytes([v] * 3) for v in grey)
    yield "picture", "grey.bmp", bmp(8, 8, grey)
    yield "picture", "gif", (b"GIF89a\x02\x00\x02\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00"
                             b"\x02\x00\x02\x00\x00\x02\x02\x44\x54\x00;")
    yield "picture", "many-comments.pgm", rpt(b"P5\n", b"# comment\n", 20000, b"4 4\n255\n" + digit())
    jpeg = os.path.join(DIGITS, "formats", "seven.jpg")
    if os.path.exists(jpeg):
        with open(jpeg, "rb") as handle:
            yield "picture", "seven.jpg", handle.read()

    header = tiny_model_header()
    weights = struct.pack("<6f", 0.5, -0.5, 0.25, 1.0, 0.0, 0.1)
    yield "model-file", "tiny", model_file(header, weights)
    yield "model-file", "no-metadata", model_file('{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4)
    yield "model-json", "tiny", header.encode()
    yield "model-json", "deep-arrays", rpt(b'{"__metadata__":', b"[", 100000)
    yield "model-json", "many-keys", rpt(b'{"__metadata__":{"format":"dnb-model"', b',"k":"v"', 20000, b"}}")

    for name, line in [
        ("fit", "fit epochs=10 batch=32 validation=0.2 optimizer=adam lr=0.001 seed=1"),
        ("build", "build dense 128 relu, dense 10 softmax"),
        ("load", 'load npz "my data.npz"'),
        ("help", "help fit"),
        ("param", "param hidden=128 epochs=10"),
        ("show", "show predictions 25  # a comment"),
    ]:
        yield "command", name, line.encode()
    yield "command", "many-options", rpt(b"help", b" k=1", 50000)
    yield "command", "many-params", rpt(b"param", b" p=1", 20000)
    yield "command", "long-word", rpt(b"load npz ", b"x", 2000000)

    notebook = (
        "# seed B\nparam hidden=128\nload mnist\nnormalize\n#> normalized 60000 images\n"
        "build dense $hidden relu, \\\n  # a note inside the continuation\n  dense 10 softmax\n"
        "fit epochs=1\n#> epoch 1/1 - 0.31s - loss 0.2587 - accuracy 0.9261\nevaluate\n#> accuracy 0.9761\n"
    )
    yield "notebook", "seed-b.dnb", notebook.encode()
    yield "notebook", "crlf.dnb", notebook.replace("\n", "\r\n").encode()
    yield "notebook", "many-params.dnb", rpt(b"", b"param p=1\n", 20000)
    yield "notebook", "long-word.dnb", rpt(b"help\n", b"x", 2000000, b"\n")
    yield "notebook", "many-outputs.dnb", rpt(b"evaluate\n", b"#> accuracy 0.9761 loss 0.0800\n", 20000)
    yield "notebook", "long-continuation.dnb", rpt(b"help ", b"\\\n", 20000, b"fit\n")

    stream = {"output_type": "stream", "name": "stdout", "text": ["normalized 60000 images\n"]}
    result = {"output_type": "execute_result", "execution_count": 3, "metadata": {},
              "data": {"text/plain": ["accuracy 0.9761"]}}
    yield "ipynb", "dnb.ipynb", ipynb([
        ("markdown", ["# Seed B\n", "A dense network on MNIST."], None),
        ("code", ["param hidden=128\n", "load mnist\n", "normalize"], [stream]),
        ("code", "build dense $hidden relu, \\\n  dense 10 softmax\nfit epochs=1\nevaluate", [result]),
        ("raw", "not run", None),
    ])
    yield "ipynb", "help-only.ipynb", ipynb([
        ("code", "help fit", []), ("markdown", "", None), ("code", ["param a=1\n", "param b=$a"], []),
    ], kernel=None)
    yield "ipynb", "error-output.ipynb", ipynb([
        ("code", "fit epochs=0", [{"output_type": "error", "ename": "DnbError", "evalue": "no model",
                                    "traceback": ["In[1]:1:1: error: no model"]}]),
    ])
    yield "ipynb", "other-kernel.ipynb", ipynb([("code", "print(1)", [])], kernel="python3")
    yield "ipynb", "many-cells.ipynb", rpt(b'{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[',
                                           b'{"cell_type":"code","source":"","metadata":{},"outputs":[]},', 10000,
                                           b'{"cell_type":"markdown","source":"end","metadata":{}}]}')
    yield "ipynb", "many-lines.ipynb", rpt(b'{"nbformat":4,"cells":[{"cell_type":"code","source":[',
                                           b'"param p=1\\n",', 5000, b'"help"]}]}')
    yield "ipynb", "long-line.ipynb", rpt(b'{"nbformat":4,"cells":[{"cell_type":"code","source":"help ',
                                          b"x", 2000000, b'"}]}')
    yield "ipynb", "deep-metadata.ipynb", rpt(b'{"nbformat":4,"cells":[],"metadata":', b'{"a":', 100000)
    yield "ipynb", "deep-outputs.ipynb", rpt(b'{"nbformat":4,"cells":[{"cell_type":"code","source":"help",'
                                             b'"outputs":', b"[", 100000)

    info = wire_message("kernel_info_request", {})
    yield "jupyter-wire", "kernel-info", wire(RAW, info)
    yield "jupyter-wire", "kernel-info-no-identity", wire(RAW, wire_message("kernel_info_request", {}, identities=()))
    yield "jupyter-wire", "kernel-info-two-identities", wire(
        RAW, wire_message("kernel_info_request", {}, identities=(b"\x00k\x8bEg", b"router-2")))
    yield "jupyter-wire", "replayed", wire(RAW, info, info)
    yield "jupyter-wire", "execute-help", wire(
        RAW,
        wire_message("execute_request", {"code": "param hidden=128\nhelp fit", "silent": False, "store_history": True,
                                         "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}),
        wire_message("history_request", {"output": True, "raw": True, "hist_access_type": "tail", "n": 10}, 2),
        wire_message("history_request", {"output": False, "raw": True, "hist_access_type": "search",
                                         "pattern": "param*", "unique": True, "n": 5}, 3),
        wire_message("history_request", {"output": False, "raw": True, "hist_access_type": "range",
                                         "session": 1, "start": 1, "stop": 2}, 4),
    )
    yield "jupyter-wire", "execute-error", wire(
        0, wire_message("execute_request", {"code": "param =", "silent": False}),
        wire_message("execute_request", {"code": "help nothing", "silent": True}, 2))
    yield "jupyter-wire", "complete-inspect", wire(
        0,
        wire_message("complete_request", {"code": "param lr=0.1\nfit epo", "cursor_pos": 20}),
        wire_message("complete_request", {"code": "build dense 10 re", "cursor_pos": -5}, 2),
        wire_message("inspect_request", {"code": "fit epochs=1", "cursor_pos": 2, "detail_level": 0}, 3),
        wire_message("is_complete_request", {"code": "build dense 10 relu, \\"}, 4),
        wire_message("is_complete_request", {"code": "fit epochs="}, 5),
    )
    yield "jupyter-wire", "no-key", wire(
        NO_KEY,
        wire_message("comm_info_request", {"target_name": "x"}, key=b""),
        wire_message("interrupt_request", {}, 2, key=b""),
        wire_message("shutdown_request", {"restart": False}, 3, key=b""),
        wire_message("kernel_info_request", {}, 4, key=b""),
    )
    yield "jupyter-wire", "buffers", wire(RAW, wire_message("comm_msg", {"comm_id": "c", "data": {}}, buffers=(b"\x00\x01", b"")))
    yield "jupyter-wire", "bad-signature", wire(RAW, wire_message("kernel_info_request", {}, key=b"another key"))
    header = compact({"msg_id": "deep", "msg_type": "kernel_info_request"})[:-1]
    yield "jupyter-wire", "deep-header", rpt(b"\x00client\xff<IDS|MSG>\xff\xff" + header + b',"x":', b"[", 100000,
                                             b"\xff{}\xff{}\xff{}")
    yield "jupyter-wire", "deep-content", rpt(b"\x00<IDS|MSG>\xff\xff" + compact({"msg_type": "execute_request"})
                                              + b'\xff{}\xff{}\xff{"code":"help","x":', b'{"a":', 100000)
    yield "jupyter-wire", "many-identities", rpt(b"\x00", b"identity\xff", 50000,
                                                 b"<IDS|MSG>\xff\xff" + compact({"msg_type": "kernel_info_request"})
                                                 + b"\xff{}\xff{}\xff{}")
    yield "jupyter-wire", "many-messages", rpt(b"\x00", info + b"\xfe", 63, info)
    yield "jupyter-wire", "long-code", rpt(b"\x00<IDS|MSG>\xff\xff" + compact({"msg_type": "complete_request"})
                                           + b'\xff{}\xff{}\xff{"code":"fit ', b"e", 110000, b'"}')
    yield "jupyter-wire", "long-history", rpt(
        b"\x00<IDS|MSG>\xff\xff" + compact({"msg_type": "execute_request", "msg_id": "1"})
        + b'\xff{}\xff{}\xff{"code":"param a=1  # ', b"a", 3000,
        b'"}\xfe<IDS|MSG>\xff\xff' + compact({"msg_type": "history_request", "msg_id": "2"})
        + b"\xff{}\xff{}\xff" + compact({"hist_access_type": "search", "pattern": "*a*a*a*b"}))

    # Keras: the configs of the fixtures Keras wrote (Tests/Fixtures/keras), and
    # .keras archives holding only config.json and metadata.json.
    import zipfile
    fixtures = os.path.join(HERE, "..", "Tests", "Fixtures", "keras")
    for name in ("quickstart", "convnet", "rescaled"):
        with zipfile.ZipFile(os.path.join(fixtures, name + ".keras")) as archive:
            yield "keras-config", name + ".json", archive.read("config.json")
            if name != "rescaled":
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w") as out:
                    for entry in ("metadata.json", "config.json"):
                        out.writestr(entry, archive.read(entry))
                yield "keras-archive", name + ".keras", buffer.getvalue()


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    count = 0
    for harness, name, data in seeds():
        folder = os.path.join(CORPUS, harness)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
        count += 1
    print(f"wrote {count} seeds under {os.path.relpath(CORPUS)}")


if __name__ == "__main__":
    main()
