"""Helpers every batched import shares: batches parsed in a second process, and the cycle
collector paused while an import holds its rows."""

import gc
import os

import pytest

from config import importing
from config.importing import parsed_beside, without_collector_pauses


def tagged(batch):
    """A batch's rows doubled, with the process that worked them out."""
    return os.getpid(), [row * 2 for row in batch]


def test_batches_come_back_in_order_worked_out_by_a_second_process():
    with parsed_beside(list(range(10)), tagged, 3) as batches:
        results = list(batches)

    assert [rows for _, rows in results] == [[0, 2, 4], [6, 8, 10], [12, 14, 16], [18]]
    assert {pid for pid, _ in results} != {os.getpid()}


def test_a_single_batch_is_worked_out_here():
    with parsed_beside([1, 2], tagged, 3) as batches:
        assert list(batches) == [(os.getpid(), [2, 4])]
    with parsed_beside([], tagged, 3) as batches:
        assert list(batches) == []


def test_a_failure_in_the_second_process_is_raised_here():
    def fail_on_the_third(batch):
        if batch[0] >= 4:
            raise ValueError("bad cell")
        return batch

    failed = pytest.raises(RuntimeError, match=r"Checking the rows failed \(ValueError: bad cell\)")
    with parsed_beside(list(range(8)), fail_on_the_third, 2) as batches:
        assert next(batches) == [0, 1]
        assert next(batches) == [2, 3]
        with failed:
            next(batches)


def test_a_second_process_that_dies_is_noticed():
    def die(batch):
        os._exit(3)

    stopped = pytest.raises(RuntimeError, match="stopped unexpectedly")
    with stopped, parsed_beside(list(range(4)), die, 2) as batches:
        list(batches)


def test_a_second_process_that_hangs_is_given_up_on(monkeypatch):
    monkeypatch.setattr(importing, "PARSE_TIMEOUT", 0.2)

    def hang(batch):
        import time

        time.sleep(5)

    given_up = pytest.raises(RuntimeError, match="took too long")
    with given_up, parsed_beside(list(range(4)), hang, 2) as batches:
        list(batches)


def test_it_starts_working_before_the_first_batch_is_asked_for():
    with parsed_beside(list(range(20)), tagged, 10) as batches:
        assert batches.worker.is_alive() or batches.worker.exitcode == 0
        assert batches.receiving.poll(5)


def test_closing_early_stops_the_second_process():
    batches = parsed_beside(list(range(100)), tagged, 10)
    child, _ = next(batches)
    batches.close()

    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_the_collector_is_paused_for_the_call_and_back_after():
    @without_collector_pauses
    def work():
        return gc.isenabled()

    assert gc.isenabled()
    assert work() is False
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    @without_collector_pauses
    def work():
        raise KeyError("x")

    gc.disable()
    try:
        with pytest.raises(KeyError):
            work()
        assert not gc.isenabled()
    finally:
        gc.enable()
