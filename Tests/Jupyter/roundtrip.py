"""Round trip of one `execute_request` for `evaluate` through the dnb kernel,
measured with jupyter_client (a measurement for humans, not a test):

    DNB_DATA=../shared/data/mnist .venv/bin/python Tests/Jupyter/roundtrip.py

From sending the request to its execute_reply, and to the idle status that
ends its iopub output, over 30 runs on MNIST's 10,000 test images."""

import statistics
import time

from jupyter_client.manager import start_new_kernel

import dnbkernel

dnbkernel.install_kernel()
km, kc = start_new_kernel(kernel_name="dnb")
try:
    setup = "load mnist\nnormalize\nbuild dense 128 relu, dense 10 softmax\nfit epochs=1 optimizer=adam"
    assert kc.execute_interactive(setup, timeout=300, output_hook=lambda _: None)["content"]["status"] == "ok"
    replies, idles = [], []
    for _ in range(30):
        start = time.perf_counter()
        msg_id = kc.execute("evaluate")
        reply = kc.get_shell_msg(timeout=60)
        replies.append(time.perf_counter() - start)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
        while True:
            message = kc.get_iopub_msg(timeout=60)
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "status" and \
                    message["content"]["execution_state"] == "idle":
                idles.append(time.perf_counter() - start)
                break
    ms = lambda values: f"median {statistics.median(values) * 1000:.1f} ms (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"
    print("execute_request 'evaluate' -> execute_reply:", ms(replies))
    print("execute_request 'evaluate' -> idle status:  ", ms(idles))
    # The same without the model: an empty cell, i.e. the protocol's own cost.
    empty = []
    for _ in range(30):
        start = time.perf_counter()
        kc.execute("", reply=True, timeout=60)
        empty.append(time.perf_counter() - start)
    print("execute_request '' (empty cell) -> reply:   ", ms(empty))
finally:
    kc.stop_channels()
    km.shutdown_kernel()
