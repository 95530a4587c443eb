"""The Keras models the Keras -> dnb checks load, built and trained as the
tutorials do, on the first 3,000 MNIST training images for one epoch.

- quickstart: TensorFlow's beginner quickstart (Flatten on (28, 28), Dense 128
  relu, Dropout 0.2, Dense 10 logits, Adam, from_logits=True).
- convnet: the keras-io MNIST convnet (Conv2D 32, MaxPooling2D, Conv2D 64,
  MaxPooling2D, Flatten, Dropout 0.5, Dense 10 softmax, Adam).
- batchnorm: Dense 64 without bias, BatchNormalization, Activation relu,
  Dense 10 softmax (SGD with momentum).

`python keras_models.py --fixtures DIR` writes the small committed fixtures
of Tests/Fixtures/keras (tiny models trained on 64 images, .keras and .h5).
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def mnist(folder, train=3000, test=2000):
    """x_train, y_train, x_test, y_test from DNB_DATA (mnist.npz or the IDX files)."""
    npz = os.path.join(folder, "mnist.npz") if os.path.isdir(folder) else folder
    if os.path.exists(npz):
        d = np.load(npz)
        xs = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    else:
        import gzip

        def idx(name, offset):
            path = os.path.join(folder, name)
            opener = gzip.open if os.path.exists(path + ".gz") else open
            with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
                return np.frombuffer(f.read(), np.uint8, offset=offset)

        xs = (idx("train-images-idx3-ubyte", 16).reshape(-1, 28, 28), idx("train-labels-idx1-ubyte", 8),
              idx("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28), idx("t10k-labels-idx1-ubyte", 8))
    return xs[0][:train], xs[1][:train], xs[2][:test], xs[3][:test]


def quickstart(units=128):
    model = keras.Sequential([
        keras.Input((28, 28)),
        layers.Flatten(),
        layers.Dense(units, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10),
    ])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model, lambda x: x / 255.0


def convnet(filters=(32, 64)):
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(filters[0], kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(filters[1], kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, lambda x: (x / 255.0).reshape(-1, 28, 28, 1)


def batchnorm(units=64):
    model = keras.Sequential([
        keras.Input((784,)),
        layers.Dense(units, use_bias=False),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, lambda x: (x / 255.0).reshape(-1, 784)


def rescaled():
    """Dense with Rescaling in front: takes raw pixels."""
    model = keras.Sequential([
        keras.Input((784,)),
        layers.Rescaling(1.0 / 255),
        layers.Dense(16, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, lambda x: x.reshape(-1, 784).astype("float32")


MODELS = {"quickstart": quickstart, "convnet": convnet, "batchnorm": batchnorm}


def train(build, x, y, epochs=1, **kwargs):
    keras.utils.set_random_seed(7)
    model, prepare = build(**kwargs)
    model.fit(prepare(x), y, epochs=epochs, batch_size=32, verbose=0)
    return model, prepare


def keras213_style(source, target):
    """The .keras zip as Keras 2.13 laid it out, from Keras 3's: the weights
    under _layer_checkpoint_dependencies/<layer name>/vars, no InputLayer in
    the config (batch_input_shape on the first layer), no optimizer."""
    import io
    import json
    import zipfile
    import h5py

    with zipfile.ZipFile(source) as archive:
        config = json.loads(archive.read("config.json"))
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        metadata = json.loads(archive.read("metadata.json"))
    layers = [layer for layer in config["config"]["layers"] if layer["class_name"] != "InputLayer"]
    layers[0]["config"]["batch_input_shape"] = config["config"]["layers"][0]["config"]["batch_shape"]
    config["config"]["layers"] = layers
    config.pop("compile_config", None)
    metadata["keras_version"] = "2.13.1"
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as new:
        counts = {}
        for layer in layers:
            base = keras.src.utils.naming.to_snake_case(layer["class_name"])
            saved = base if base not in counts else f"{base}_{counts[base] + 1}"
            counts[base] = counts.get(base, -1) + 1
            group = new.create_group(f"_layer_checkpoint_dependencies/{layer['config']['name']}/vars")
            if f"layers/{saved}/vars" in weights:
                for key in weights[f"layers/{saved}/vars"]:
                    group.create_dataset(key, data=weights[f"layers/{saved}/vars/{key}"][()])
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("metadata.json", json.dumps(metadata))
        out.writestr("config.json", json.dumps(config))
        out.writestr("model.weights.h5", buffer.getvalue())


def tf2_style(source, target):
    """The legacy .h5 as tf.keras 2 lays it out, from Keras 3's: fixed-length
    byte strings for model_config, layer_names and weight_names, weights named
    `dense/kernel:0` under model_weights/<layer>/, a Keras 2 config (no
    InputLayer, `batch_input_shape` on the first layer), and no optimizer."""
    import json
    import h5py

    with h5py.File(source, "r") as old, h5py.File(target, "w") as new:
        config = json.loads(old.attrs["model_config"])
        layers = [layer for layer in config["config"]["layers"] if layer["class_name"] != "InputLayer"]
        first = config["config"]["layers"][0]["config"]
        layers[0]["config"]["batch_input_shape"] = first["batch_shape"]
        for layer in layers:
            layer["config"]["dtype"] = "float32"
        config["config"]["layers"] = layers
        new.attrs["model_config"] = np.bytes_(json.dumps(config).encode())
        new.attrs["keras_version"] = np.bytes_(b"2.13.1")
        new.attrs["backend"] = np.bytes_(b"tensorflow")
        group = new.create_group("model_weights")
        names = [layer["config"]["name"] for layer in layers]
        group.attrs["layer_names"] = np.array([n.encode() for n in names], dtype="S")
        for name in names:
            layer_group = group.create_group(name)
            old_names = [n.decode() if isinstance(n, bytes) else n for n in old["model_weights"][name].attrs["weight_names"]]
            new_names = [f"{name}/{n.split('/')[-1]}:0" for n in old_names]
            layer_group.attrs["weight_names"] = np.array([n.encode() for n in new_names], dtype="S")
            for old_name, new_name in zip(old_names, new_names):
                layer_group.create_dataset(new_name, data=old["model_weights"][name][old_name][()])


if __name__ == "__main__" and sys.argv[1:2] == ["--fixtures"]:
    # Small fixtures for the Swift tests: 64 images, tiny layers.
    folder = sys.argv[2]
    x, y, xt, yt = mnist(os.environ["DNB_DATA"], train=64, test=64)
    for name, build, kwargs in [("quickstart", quickstart, {"units": 8}), ("convnet", convnet, {"filters": (2, 4)}),
                                ("rescaled", rescaled, {}), ("batchnorm", batchnorm, {"units": 8})]:
        model, prepare = train(build, x, y, **kwargs)
        model.save(os.path.join(folder, name + ".keras"))
        model.save(os.path.join(folder, name + ".h5"))
        # The probabilities of the first 4 test images, for the Swift test to compare with.
        p = model.predict(prepare(xt[:4]), verbose=0)
        if name == "quickstart":
            p = keras.ops.convert_to_numpy(keras.ops.softmax(p))
        np.savetxt(os.path.join(folder, name + ".probabilities.txt"), p, fmt="%.9g")
    xt[:4].astype(np.uint8).tofile(os.path.join(folder, "test-pixels.u8"))
    tf2_style(os.path.join(folder, "rescaled.h5"), os.path.join(folder, "rescaled-tf2.h5"))
    keras213_style(os.path.join(folder, "rescaled.keras"), os.path.join(folder, "rescaled-keras213.keras"))
