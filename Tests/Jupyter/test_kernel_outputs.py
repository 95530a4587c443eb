"""What a `fit` cell leaves in a notebook, as Jupyter front ends assemble it
from iopub messages: the finished epochs above the live bar at every moment,
and no empty display once the fit ends. Also the words the kernel uses where
a terminal would name keys, and the note on where plots go. Runs on a tiny
IDX data set, without MNIST."""

import os
import queue
import re
import shutil
import tempfile
import time
import unittest

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import dnbkernel

dnbkernel.install_kernel()

FINISHED = re.compile(r"^Epoch (\d+)/(\d+) - ")
BAR = re.compile(r"^Epoch (\d+)/(\d+) +\d+/\d+ \[")


class OutputArea:
    """The outputs of one cell as JupyterLab's output area model keeps them:
    consecutive streams of the same name merge, a display_data with a
    display_id is replaced in place by update_display_data."""

    def __init__(self):
        self.outputs = []

    def apply(self, message):
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            last = self.outputs[-1] if self.outputs else None
            if last and last["output_type"] == "stream" and last["name"] == content["name"]:
                last["text"] += content["text"]
            else:
                self.outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
        elif kind in ("display_data", "execute_result"):
            output = {"output_type": kind, "data": dict(content["data"])}
            output["display_id"] = content.get("transient", {}).get("display_id")
            self.outputs.append(output)
        elif kind == "update_display_data":
            display_id = content["transient"]["display_id"]
            for output in self.outputs:
                if output.get("display_id") == display_id:
                    output["data"] = dict(content["data"])
        elif kind == "error":
            self.outputs.append({"output_type": "error", "traceback": content["traceback"]})

    def lines(self):
        """Every line of text the cell shows, top to bottom."""
        lines = []
        for output in self.outputs:
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            if output["output_type"] == "error":
                text = "\n".join(output["traceback"])
            lines += text.splitlines()
        return lines


def check_order(test, lines):
    """No live bar above a finished epoch line; returns whether a bar shows
    below at least one finished line (the moment the old display got wrong)."""
    finished = [index for index, line in enumerate(lines) if FINISHED.match(line)]
    bars = [index for index, line in enumerate(lines) if BAR.match(line)]
    if finished and bars:
        test.assertLess(max(finished), min(bars), "a live bar sits above a finished epoch:\n" + "\n".join(lines))
    test.assertLessEqual(len(bars), 1, "\n".join(lines))
    return bool(finished and bars)


class KernelSession(unittest.TestCase):
    """A dnb kernel in a temporary folder holding the tiny IDX files."""

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="dnb-outputs-")
        self.load = dnbkernel.write_tiny_idx(self.folder)
        self.km = KernelManager(kernel_name="dnb")
        self.km.start_kernel(cwd=self.folder)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=30)

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def run_cell(self, code, limit=120):
        """Executes `code`; returns its iopub messages up to idle, and the reply."""
        msg_id = self.kc.execute(code)
        seen = []
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                message = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                reply = self.kc.get_shell_msg(timeout=10)
                self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
                return seen, reply["content"]
            seen.append(message)
        self.fail(f"no idle within {limit} s; saw {[m['msg_type'] for m in seen]}")

    def setup_model(self):
        _, reply = self.run_cell(self.load + "\nnormalize\nbuild dense 16 relu, dense 10 softmax")
        self.assertEqual(reply["status"], "ok")


class FitCellOrderTests(KernelSession):
    def test_finished_epochs_stay_above_the_live_bar_and_nothing_empty_remains(self):
        self.setup_model()
        # 60 images in batches of 16: four steps an epoch, the bar drawn at
        # least on the first and the last.
        messages, reply = self.run_cell("fit epochs=4 batch=16 optimizer=adam")
        self.assertEqual(reply["status"], "ok")
        self.assertIn("update_display_data", [m["msg_type"] for m in messages])
        area = OutputArea()
        bar_below_a_finished_epoch = False
        for message in messages:
            area.apply(message)
            bar_below_a_finished_epoch |= check_order(self, area.lines())
        self.assertTrue(bar_below_a_finished_epoch, "never saw a bar while an epoch was finished")

        # When the fit ends: the four epoch lines, in order, no bar, and no empty output.
        lines = area.lines()
        self.assertEqual([int(FINISHED.match(line).group(1)) for line in lines], [1, 2, 3, 4], lines)
        for output in area.outputs:
            for mime, value in output.get("data", {}).items():
                self.assertTrue(value, f"an empty {mime} output remains: {area.outputs}")

    def test_a_cell_of_two_fits_and_more_keeps_its_order(self):
        self.setup_model()
        messages, reply = self.run_cell("fit epochs=2 batch=16\nfit epochs=1 batch=16\nshow data")
        self.assertEqual(reply["status"], "ok")
        area = OutputArea()
        for message in messages:
            area.apply(message)
            check_order(self, area.lines())
        lines = area.lines()
        finished = [line[: len("Epoch 1/2")] for line in lines if FINISHED.match(line)]
        self.assertEqual(finished, ["Epoch 1/2", "Epoch 2/2", "Epoch 1/1"])
        # What `show data` prints comes after the epochs.
        last_epoch = max(index for index, line in enumerate(lines) if FINISHED.match(line))
        self.assertGreater(len(lines), last_epoch + 1)


class CallbackLinesTests(KernelSession):
    def test_callbacks_say_what_they_do_below_their_epochs(self):
        """A fit's callbacks print Keras's lines in the cell, in order, and the
        checkpoint is written: the same lines as at the prompt."""
        self.setup_model()
        messages, reply = self.run_cell(
            "fit epochs=9 batch=16 validation=0.2 optimizer=adam, "
            "early_stopping monitor=val_accuracy min_delta=1 patience=1 restore_best_weights=true, "
            "reduce_lr monitor=val_accuracy min_delta=1 patience=1 factor=0.5, checkpoint best.safetensors"
        )
        self.assertEqual(reply["status"], "ok")
        area = OutputArea()
        for message in messages:
            area.apply(message)
            check_order(self, area.lines())
        lines = [line for line in area.lines() if not BAR.match(line)]
        self.assertTrue(lines[0].startswith("Epoch 1/9 - ") and lines[0].endswith("learning_rate: 0.0010"), lines)
        self.assertTrue(lines[1].startswith("Epoch 1: val_loss improved from None to "), lines)
        self.assertIn("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257.", lines)
        self.assertEqual(lines[-2:], ["Epoch 2: early stopping", "Restoring model weights from the end of the best epoch: 1."])
        self.assertTrue(os.path.getsize(os.path.join(self.folder, "best.safetensors")) > 0)


class WordsTests(KernelSession):
    def test_help_and_inspect_name_no_terminal_keys(self):
        messages, reply = self.run_cell("help")
        self.assertEqual(reply["status"], "ok")
        text = "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")
        self.assertIn("Shift+Tab", text)
        self.assertNotIn("Ctrl-", text)
        self.kc.inspect("fit epochs=2", cursor_pos=2)
        inspect = self.kc.get_shell_msg(timeout=10)["content"]
        self.assertTrue(inspect["found"])
        self.assertIn("Interrupting the kernel (■) stops after the current batch", inspect["data"]["text/plain"])
        self.assertNotIn("Ctrl-", inspect["data"]["text/plain"])

    def test_the_first_plot_says_where_plots_go_once(self):
        self.setup_model()
        messages, reply = self.run_cell("fit epochs=2 batch=16 validation=0.2\nshow loss\nshow accuracy")
        self.assertEqual(reply["status"], "ok")
        streams = "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")
        plots = os.path.realpath(os.path.join(self.folder, "plots"))
        told = [line for line in streams.splitlines() if line.startswith("plots go to")]
        self.assertEqual(len(told), 1, streams)
        self.assertTrue(told[0].startswith("plots go to plots/ ("), told[0])
        self.assertIn(plots, os.path.realpath(told[0].split("(")[1].split(")")[0]))
        messages, _ = self.run_cell("show loss")
        self.assertFalse(any("plots go to" in m["content"].get("text", "") for m in messages if m["msg_type"] == "stream"))


class SavedNotebookTests(unittest.TestCase):
    """nbclient runs a notebook as `jupyter nbconvert --execute` does and
    keeps what Jupyter would save."""

    def test_a_saved_fit_cell_has_its_epochs_and_no_empty_output(self):
        folder = tempfile.mkdtemp(prefix="dnb-saved-")
        self.addCleanup(shutil.rmtree, folder, True)
        load = dnbkernel.write_tiny_idx(folder)
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_code_cell(load + "\nnormalize\nbuild dense 16 relu, dense 10 softmax"),
            nbformat.v4.new_code_cell("fit epochs=3 batch=16 optimizer=adam"),
            nbformat.v4.new_code_cell("evaluate"),
        ]
        NotebookClient(notebook, timeout=120, kernel_name="dnb", resources={"metadata": {"path": folder}}).execute()
        path = os.path.join(folder, "saved.ipynb")
        nbformat.write(notebook, path)
        saved = nbformat.read(path, as_version=4)
        nbformat.validate(saved)
        fit = saved.cells[1].outputs
        for output in fit:
            for mime, value in output.get("data", {}).items():
                self.assertTrue(value, f"an empty {mime} output was saved: {fit}")
        lines = []
        for output in fit:
            lines += (output.get("text") or output.get("data", {}).get("text/plain", "")).splitlines()
        self.assertEqual([FINISHED.match(line).group(1) for line in lines if FINISHED.match(line)], ["1", "2", "3"])
        self.assertFalse(any(BAR.match(line) for line in lines), lines)


if __name__ == "__main__":
    unittest.main()
