"""A pass log's records read back (chatd.storage.pass_records): what the log writes, and nothing else."""

import json
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.encoding import encode_event, json_bytes
from chatd.storage.pass_records import INTEGER_MOST, read_record
from tests.events import said

EVENT = encode_event(replace(said(1, "#lobby", "alice", "hi", 1), id="0000000003e80000"))
ROW = [1, "0000000003e80000", "said", "#lobby", 1, 1.0, "alice", EVENT]
STATEMENT = ["INSERT INTO rooms (room, last_seq) VALUES (?, ?)", ["#r", 3]]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=9) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=30,
)
"""Any value Python's JSON reads back, NaN, infinities and integers past 64 bits included."""


def line(record: Any) -> bytes:
    return json_bytes(record) + b"\n"


class ReadRecordTests(SynchronousTestCase):
    def test_what_the_log_writes_is_read_back(self) -> None:
        """A pass's record, and one saying commits failed, come back as written, rows as tuples."""
        self.assertEqual(
            read_record(line([3, [ROW], [[STATEMENT]]])), (3, [tuple(ROW)], [[tuple(STATEMENT)]])
        )
        self.assertEqual(read_record(line([4, None, 3])), (4, None, 3))

    def test_a_statement_logged_bare_by_an_older_chatd_is_a_change_of_its_own(self) -> None:
        """[number, rows, [statement]]: the statement is a change of one."""
        self.assertEqual(read_record(line([1, [], [STATEMENT]])), (1, [], [[tuple(STATEMENT)]]))

    def test_an_integer_sqlite_keeps_is_read_and_one_past_it_is_damage(self) -> None:
        """2**63 - 1 in a statement is read; 2**63 would raise OverflowError as it is bound."""
        kept = [STATEMENT[0], ["#r", INTEGER_MOST]]
        self.assertEqual(read_record(line([1, [], [[kept]]]))[2], [[tuple(kept)]])
        error = self.assertRaises(
            ValueError, read_record, line([1, [], [[[STATEMENT[0], ["#r", INTEGER_MOST + 1]]]]])
        )
        self.assertEqual(str(error), "record 1 holds a statement that is not [SQL, [values SQLite keeps]]")

    def test_the_damage_is_named_without_a_value(self) -> None:
        """What a row held is not in the sentence: the log holds what people said."""
        secret = [*ROW[:7], "my password is hunter2"]
        error = self.assertRaises(ValueError, read_record, line([1, [secret], []]))
        self.assertEqual(str(error), "record 1 holds a row that is not an event as chatd logs one")

    @settings(max_examples=500)
    @given(JSON)
    def test_any_json_is_a_record_or_a_value_error(self, value: Any) -> None:
        """Whatever JSON a line holds, reading it raises nothing but ValueError, and what it gives is a record."""
        try:
            record = read_record(json.dumps(value).encode() + b"\n")
        except ValueError:
            return
        number, rows, changes = record
        self.assertTrue(1 <= number <= INTEGER_MOST)
        if rows is None:
            self.assertIsInstance(changes, int)
        else:
            self.assertIsInstance(changes, list)

    @given(st.integers(0, 7), JSON)
    def test_a_row_with_any_field_changed_to_any_json_is_a_row_or_a_value_error(
        self, at: int, value: Any
    ) -> None:
        """One field of a good row made anything: a row as chatd writes it, or the damage told, never another error."""
        row = [*ROW[:at], value, *ROW[at + 1 :]]
        try:
            _, rows, _ = read_record(json.dumps([1, [row], []]).encode() + b"\n")
        except ValueError:
            return
        self.assertEqual(rows, [tuple(row)])
