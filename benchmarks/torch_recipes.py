"""The keras-io MNIST convnet in PyTorch (CPU), measured like keras_recipes.py measures Keras.

One recipe per process, written as JSON with the same field names as
keras_recipes.py (and dnb-bench), so compare-keras.sh --torch can set the
three side by side. The data comes from the same files (keras_recipes.load_mnist).

    python torch_recipes.py --recipe conv --json out.json [--data DIR] [--repeats N] [--epochs N] [--threads N]

The recipe is keras-io's "Simple MNIST convnet" written as a PyTorch user
would write it to run fast on a CPU:
- the model: conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu, maxpool 2,
  flatten, dropout 0.5, dense 10; the softmax is folded into the loss
  (nn.CrossEntropyLoss on the logits: the categorical cross-entropy Keras
  computes from softmax outputs); weights Glorot-uniform and biases zero, as
  Keras initialises them;
- Adam with Keras's defaults (lr 0.001, betas 0.9 and 0.999, epsilon 1e-7),
  batch 128, 15 epochs;
- validation 0.1 as Keras's validation_split takes it: the last 6,000 of the
  60,000 training images, never shuffled into training;
- the whole set in memory as tensors (NCHW float32 scaled to [0, 1]), a
  shuffled index per epoch (torch.randperm), batches gathered by indexing (no
  DataLoader workers: they would only copy what is already in memory);
- model.train() for the training pass, model.eval() and torch.no_grad() for
  validation and evaluation, in batches of 128 (Keras validates with the fit's
  batch size);
- torch.set_num_threads(threads) and set_num_interop_threads(threads) before
  any work (default: every core, as TensorFlow and dnb use).
An epoch's time is the training pass and the validation pass, as Keras's
on_epoch_begin/on_epoch_end callbacks measure it.
"""

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keras_recipes import load_mnist  # noqa: E402  (the same files, read the same way)

RECIPES = {
    "conv": dict(title="keras-io convnet", epochs=15, batch=128, validation=0.1, learning_rate=0.001),
}


def build_model(torch):
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10),
    )
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)  # Keras's glorot_uniform: fans include the kernel's area
            nn.init.zeros_(layer.bias)
    return model


def batched_figures(torch, model, loss_fn, x, y, batch):
    """(mean loss, accuracy) over x, y in eval mode, without gradients."""
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch):
            logits = model(x[start:start + batch])
            target = y[start:start + batch]
            total_loss += float(loss_fn(logits, target)) * len(target)
            correct += int((logits.argmax(dim=1) == target).sum())
    return total_loss / len(x), correct / len(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="conv")
    parser.add_argument("--json", required=True)
    parser.add_argument("--data", default=os.environ.get("DNB_DATA", ""))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=0, help="train this many epochs instead of the recipe's")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    recipe = dict(RECIPES[args.recipe])
    if args.epochs > 0:
        recipe["epochs"] = args.epochs
    if not args.data:
        sys.exit("torch_recipes.py: set DNB_DATA or pass --data")

    import torch

    # Before any parallel work: the interop pool cannot be resized once used.
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)

    started = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load_mnist(args.data)
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    def tensors(x, y):
        images = torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
        return images, torch.from_numpy(y.astype(np.int64))
    x_all, y_all = tensors(x_train, y_train)
    x_test, y_test = tensors(x_test, y_test)
    normalize_seconds = time.perf_counter() - started

    # Keras's validation_split: the last fraction, split off before shuffling.
    count = len(x_all)
    training = int(np.ceil(count * (1 - recipe["validation"])))
    x_fit, y_fit = x_all[:training], y_all[:training]
    x_val, y_val = x_all[training:], y_all[training:]
    batch = recipe["batch"]

    loss_fn = torch.nn.CrossEntropyLoss()
    fits, epoch_times = [], []
    model = None
    val_accuracy = final_loss = None
    for _ in range(args.repeats):
        torch.manual_seed(1)
        model = build_model(torch)
        optimizer = torch.optim.Adam(model.parameters(), lr=recipe["learning_rate"], betas=(0.9, 0.999), eps=1e-7)
        fit_started = time.perf_counter()
        for _ in range(recipe["epochs"]):
            epoch_started = time.perf_counter()
            model.train()
            order = torch.randperm(training)
            total_loss = 0.0
            for start in range(0, training, batch):
                index = order[start:start + batch]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(x_fit[index]), y_fit[index])
                loss.backward()
                optimizer.step()
                total_loss += loss.item() * len(index)
            final_loss = total_loss / training
            if len(x_val):
                _, val_accuracy = batched_figures(torch, model, loss_fn, x_val, y_val, batch)
            epoch_times.append(time.perf_counter() - epoch_started)
        fits.append(time.perf_counter() - fit_started)

    evaluations = []
    for _ in range(3):
        started = time.perf_counter()
        test_loss, test_accuracy = batched_figures(torch, model, loss_fn, x_test, y_test, batch)
        evaluations.append(time.perf_counter() - started)

    report = dict(
        recipe=args.recipe, title=recipe["title"], threads=torch.get_num_threads(),
        repeats=args.repeats, load=load_seconds, normalize=normalize_seconds, fits=fits,
        bestEpoch=min(epoch_times), medianEpoch=float(np.median(epoch_times)),
        epochs=recipe["epochs"], steps=-(-training // batch),
        trainingSamples=training, validationSamples=count - training,
        evaluate=min(evaluations), evaluateFirst=evaluations[0],
        testAccuracy=float(test_accuracy), testLoss=float(test_loss),
        validationAccuracy=float(val_accuracy) if val_accuracy is not None else None,
        finalLoss=float(final_loss),
        peakRSS=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        parameters=sum(p.numel() for p in model.parameters()),
        versions=dict(torch=torch.__version__),
    )
    with open(args.json, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
