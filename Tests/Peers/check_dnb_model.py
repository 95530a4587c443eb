"""Runs a model dnb saved in Keras's load_model (JAX backend) and in ONNX Runtime.

usage: check_dnb_model.py DIR NAME
DIR holds NAME.keras, NAME.onnx, and what dnb computed: pixels.u8 (N x 784 raw
0-255 test pixels), labels.u8 (N) and probabilities.f32 (N x 10, little-endian
float32). Both peers are fed the raw pixels in the model's input shape; prints
one JSON object with the largest |p_dnb - p_peer| and each one's accuracy, and
checks that Keras's fit continues from the saved optimizer state.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import onnx  # noqa: E402
import onnxruntime  # noqa: E402

folder, name = sys.argv[1], sys.argv[2]
pixels = np.fromfile(os.path.join(folder, "pixels.u8"), dtype=np.uint8).reshape(-1, 784)
labels = np.fromfile(os.path.join(folder, "labels.u8"), dtype=np.uint8)
dnb = np.fromfile(os.path.join(folder, "probabilities.f32"), dtype="<f4").reshape(len(labels), -1)

model = keras.saving.load_model(os.path.join(folder, name + ".keras"))
shape = tuple(model.inputs[0].shape[1:])
x = pixels.astype("float32").reshape((-1,) + shape)
p_keras = model.predict(x, batch_size=500, verbose=0)

onnx_model = onnx.load(os.path.join(folder, name + ".onnx"))
onnx.checker.check_model(onnx_model, full_check=True)
session = onnxruntime.InferenceSession(os.path.join(folder, name + ".onnx"), providers=["CPUExecutionProvider"])
p_onnx = session.run(None, {session.get_inputs()[0].name: x})[0]

iterations = int(model.optimizer.iterations.numpy()) if model.optimizer is not None else -1
# One more step of Keras's fit from the saved state.
if model.optimizer is not None:
    model.fit(x[:64], labels[:64].astype("int64"), batch_size=64, epochs=1, verbose=0)
after = int(model.optimizer.iterations.numpy()) if model.optimizer is not None else -1

print(json.dumps({
    "input_shape": list(shape),
    "keras_max_diff": float(np.abs(p_keras - dnb).max()),
    "onnx_max_diff": float(np.abs(p_onnx - dnb).max()),
    "dnb_accuracy": float((dnb.argmax(1) == labels).mean()),
    "keras_accuracy": float((p_keras.argmax(1) == labels).mean()),
    "onnx_accuracy": float((p_onnx.argmax(1) == labels).mean()),
    "opset": onnx_model.opset_import[0].version,
    "keras_iterations": iterations,
    "keras_iterations_after_fit": after,
}))
