"""The dnb kernel on the real MNIST: a committed notebook executed by
nbclient, and Jupyter's interrupt stopping a long fit. Skipped without MNIST."""

import os
import queue
import shutil
import tempfile
import time
import unittest

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import dnbkernel

dnbkernel.install_kernel()


@unittest.skipUnless(dnbkernel.MNIST, dnbkernel.NO_MNIST)
class MNISTNotebookTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="dnb-nbclient-")

    def tearDown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    def test_nbclient_executes_the_committed_notebook(self):
        notebook = nbformat.read(os.path.join(dnbkernel.ROOT, "notebooks", "mnist.ipynb"), as_version=4)
        NotebookClient(notebook, timeout=600, kernel_name="dnb", resources={"metadata": {"path": self.folder}}).execute()
        nbformat.validate(notebook)
        outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
        results = [output["data"]["text/plain"] for output in outputs if output["output_type"] == "execute_result"]
        self.assertTrue(any("accuracy 0.9" in text for text in results), results)
        pngs = [output for output in outputs if "image/png" in output.get("data", {})]
        self.assertGreaterEqual(len(pngs), 2)
        # The epoch lines are the training display's last text (see test_kernel_outputs).
        texts = "".join(output.get("text", "") or output.get("data", {}).get("text/plain", "") for output in outputs)
        self.assertIn("Epoch 3/3 - ", texts)
        self.assertTrue(os.path.exists(os.path.join(self.folder, "plots", "loss.png")))


@unittest.skipUnless(dnbkernel.MNIST, dnbkernel.NO_MNIST)
class InterruptTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="dnb-interrupt-")
        self.km = KernelManager(kernel_name="dnb")
        self.km.start_kernel(cwd=self.folder)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=30)

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def iopub_until(self, msg_id, predicate, limit=120):
        """iopub messages of `msg_id` up to the first one `predicate` accepts."""
        seen = []
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                message = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            seen.append(message)
            if predicate(message):
                return seen
        self.fail(f"gave up after {limit} s waiting; saw {[m['msg_type'] for m in seen]}")

    def test_interrupt_stops_fit_and_keeps_the_kernel(self):
        reply = self.kc.execute_interactive(
            "load mnist\nnormalize\nbuild dense 128 relu, dense 10 softmax", timeout=120, output_hook=lambda _: None
        )
        self.assertEqual(reply["content"]["status"], "ok")

        fit = self.kc.execute("fit epochs=1000 batch=32 optimizer=adam")
        # Training is one display, shown then updated in place.
        before = self.iopub_until(fit, lambda m: m["msg_type"] == "update_display_data")
        shown = [m for m in before if m["msg_type"] == "display_data"]
        self.assertEqual(len(shown), 1)
        display_id = shown[0]["content"]["transient"]["display_id"]
        self.assertEqual(before[-1]["content"]["transient"]["display_id"], display_id)

        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=120)
        self.assertEqual(reply["parent_header"]["msg_id"], fit)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        after = self.iopub_until(fit, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle")
        # One message, in Jupyter's words, with no caret: the cell's error.
        errors = [m["content"] for m in after if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(len(errors[0]["traceback"]), 1)
        self.assertRegex(
            errors[0]["traceback"][0],
            r"^interrupted at epoch \d+/1000, step \d+: the weights are kept, and (the history has \d+ more epochs?|no epoch)",
        )
        self.assertEqual(reply["content"]["evalue"], errors[0]["traceback"][0])
        streams = [m for m in before + after if m["msg_type"] == "stream"]
        self.assertEqual(streams, [])

        # The same kernel goes on, with the weights the fit reached.
        outputs = []
        reply = self.kc.execute_interactive("evaluate", timeout=120, output_hook=outputs.append)
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1)
        self.assertRegex(results[0], r"^test: loss \d\.\d{4} - accuracy 0\.\d{4}")


if __name__ == "__main__":
    unittest.main()
