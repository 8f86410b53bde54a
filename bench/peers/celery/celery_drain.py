"""
The stack the service's users come from, as a peer of the drain suite: the FastAPI + Celery + Redis
demo's Celery, with the demo's settings (Redis as broker and result backend, JSON, extended results,
started states tracked), draining a backlog of calculation tasks (sums) with a prefork pool.

Run by bench/support/celery-peer.ts as `python3 celery_drain.py TASKS PROCESSES` from this folder,
with CELERY_DRAIN_REDIS_URL naming a Redis database of its own, which is emptied before and after;
prints one line of JSON: {"rate": tasks per second, "redisCpu": Redis CPU µs per task}. Celery's
worker logs go to the standard error, which the caller shows when the drain fails.
"""
import json
import os
import subprocess
import sys
import time

import redis
from celery import Celery

REDIS_URL = os.environ.get("CELERY_DRAIN_REDIS_URL", "redis://127.0.0.1:6379/9")
QUEUE = "drain"

app = Celery("celery_drain", broker=REDIS_URL, backend=REDIS_URL)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_extended=True,
    task_track_started=True,
    task_default_queue=QUEUE,
)


@app.task(name="calculation_task")
def calculation_task(numbers, operation):
    return {"operation": operation, "value": str(sum(numbers)), "count": len(numbers)}


def redis_cpu_micros(client):
    info = client.info("cpu")
    return (info["used_cpu_user"] + info["used_cpu_sys"]) * 1_000_000


def wait_until(check, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.05)


def drain(tasks, processes):
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_drain", "worker", "-P", "prefork", "-c", str(processes),
         "-Q", QUEUE, "--loglevel", "WARNING"],
        cwd=os.path.dirname(os.path.abspath(__file__)),
        stdout=subprocess.DEVNULL,
        env={**os.environ, "CELERY_DRAIN_REDIS_URL": REDIS_URL},
    )
    try:
        wait_until(lambda: app.control.ping(timeout=0.5), 60, "the Celery worker")
        # As the drain suite pauses its queue: the worker stops taking tasks while the backlog is sent.
        app.control.cancel_consumer(QUEUE, reply=True)
        numbers = list(range(1, 11))
        ids = [calculation_task.apply_async((numbers, "SUM")).id for _ in range(tasks)]
        cpu_before = redis_cpu_micros(client)
        started = time.monotonic()
        app.control.add_consumer(QUEUE, reply=True)
        pending = ids
        while pending:
            batch = pending[:1000]
            results = client.mget([f"celery-task-meta-{task_id}" for task_id in batch])
            done = sum(1 for result in results if result and json.loads(result)["status"] == "SUCCESS")
            if done == len(batch):
                pending = pending[len(batch):]
                continue
            if time.monotonic() - started > 600:
                raise TimeoutError(f"{len(pending)} tasks not done after 600 s")
            time.sleep(0.02)
        seconds = time.monotonic() - started
        cpu = redis_cpu_micros(client) - cpu_before
        return {"rate": tasks / seconds, "redisCpu": cpu / tasks}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        client.flushdb()
        client.close()


if __name__ == "__main__":
    print(json.dumps(drain(int(sys.argv[1]), int(sys.argv[2]))))
