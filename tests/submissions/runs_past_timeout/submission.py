import subprocess
import sys
import time


def loss_and_grads(params, X, y, reg=0.0):
    # a helper process that never ends, then a long wait
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print(f"helper pid {helper.pid}", flush=True)
    time.sleep(600)
