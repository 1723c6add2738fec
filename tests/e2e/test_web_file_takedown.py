"""A room operator takes a student's file down from the page, in real headless Chromiums against a real daemon.

The offer's line on the page of one who holds operator standing in the
room has "Take down" beside Accept and Decline; asked twice, it sends
``/file withdraw``, and the line of every page told of it, the sender's
too, ends saying who took it down and why. A plain member's line has no
such button; one the page wrongly offers is refused by the server, and the
refusal is said on the line.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.daemon import opers_file
from tests.e2e.test_web_files import card_named, card_state, choose, content, on_disk, press
from tests.helpers import quick_hash

WHY = "withdrawn from #maths by an operator"


def buttons(page: Page, file_id: str) -> list[str]:
    """The buttons on the line of file ``file_id`` in the log shown."""
    return page.texts(f'#log-box .log .line.file[data-file="{file_id}"] button')


def ended(page: Page, file_id: str, words: str) -> None:
    """Wait until ``page``'s line of ``file_id`` says ``words``, with no button left."""
    page.wait(
        lambda: (card_state(page, file_id) == [words] and buttons(page, file_id) == []) or None,
        f"the line of {file_id} to say {words!r}",
    )


class TakeDownTests(SynchronousTestCase):
    def test_a_room_operator_takes_a_students_offer_down_for_everyone(self) -> None:
        """mrs_k made #maths, so holds its operator standing; sam's page offers the room a file: her line has Take
        down, bob's has Accept and Decline alone. Two presses of hers take it down, and her line, sam's and bob's
        each end saying she did, and why."""
        _, url = start_web(self)
        teacher, student, member = Page(self, url), Page(self, url), Page(self, url)
        for page, nick in ((teacher, "mrs_k"), (student, "sam"), (member, "bob")):
            page.login(nick)
            page.join("#maths")
        teacher.wait_for_member("bob")
        choose(student, on_disk(self, "answers.pdf", content(30_000)))
        student.wait(
            lambda: card_state(student) == ["Uploaded and offered to #maths."] or None, "sam's offer"
        )

        file_id = card_named(teacher, "answers.pdf")
        self.assertEqual(buttons(teacher, file_id), ["Accept", "Decline", "Take down"])
        self.assertEqual(card_named(member, "answers.pdf"), file_id)
        self.assertEqual(buttons(member, file_id), ["Accept", "Decline"])

        press(teacher, file_id, "take-down")
        self.assertEqual(buttons(teacher, file_id), ["Accept", "Decline", "Take down for everyone?"])
        self.assertEqual(card_state(member, file_id), [""])
        press(teacher, file_id, "take-down")

        ended(teacher, file_id, f"Taken down by you ({WHY}).")
        ended(member, file_id, f"Taken down by mrs_k ({WHY}).")
        ended(student, file_id, f"Taken down by mrs_k ({WHY}).")
        for page in (teacher, student, member):
            quiet(self, page, no_error_shown=True)

    def test_a_server_operator_without_standing_in_the_room_takes_an_offer_down(self) -> None:
        """ops is in #maths, which mrs_k made, with no @ there: sam's offer to it has no Take down on his line until
        his /oper is answered, then has one, and two presses take it down, as the server lets an operator."""
        _, url = start_web(self, "--opers", opers_file(self, quick_hash("pw")))
        teacher, student, ops = Page(self, url), Page(self, url), Page(self, url)
        for page, nick in ((teacher, "mrs_k"), (student, "sam"), (ops, "ops")):
            page.login(nick)
            page.join("#maths")
        choose(student, on_disk(self, "answers.pdf", content(30_000)))
        file_id = card_named(ops, "answers.pdf")
        self.assertEqual(buttons(ops, file_id), ["Accept", "Decline"])

        ops.say("/oper boss pw")
        ops.wait(
            lambda: buttons(ops, file_id) == ["Accept", "Decline", "Take down"] or None, "Take down for ops"
        )
        press(ops, file_id, "take-down")
        press(ops, file_id, "take-down")

        ended(ops, file_id, f"Taken down by you ({WHY}).")
        ended(student, file_id, f"Taken down by ops ({WHY}).")
        ended(teacher, card_named(teacher, "answers.pdf"), f"Taken down by ops ({WHY}).")
        for page in (teacher, student, ops):
            quiet(self, page, no_error_shown=True)

    def test_a_take_down_the_server_refuses_is_said_on_its_line(self) -> None:
        """bob's page, made to think him an operator of #maths (he is not), offers him Take down on sam's offer:
        the server refuses it not-owner, and his line says so and keeps its buttons; sam's offer stays."""
        _, url = start_web(self)
        teacher, student, member = Page(self, url), Page(self, url), Page(self, url)
        for page, nick in ((teacher, "mrs_k"), (student, "sam"), (member, "bob")):
            page.login(nick)
            page.join("#maths")
        choose(student, on_disk(self, "answers.pdf", content(30_000)))
        file_id = card_named(member, "answers.pdf")
        self.assertEqual(buttons(member, file_id), ["Accept", "Decline"])
        member.script("const room = window.chatd.current; room.setStanding('bob', 'operator', true);")
        member.script("window.chatd.files.standingChanged(window.chatd.current);")
        self.assertEqual(buttons(member, file_id), ["Accept", "Decline", "Take down"])

        press(member, file_id, "take-down")
        press(member, file_id, "take-down")
        refused = "It was not taken down: only the owner of #maths and operators may do that"
        member.wait(lambda: card_state(member, file_id) != [""] or None, "the refusal on bob's line")
        self.assertEqual(card_state(member, file_id), [refused])
        self.assertEqual(buttons(member, file_id), ["Accept", "Decline", "Take down"])
        self.assertEqual(card_state(teacher, card_named(teacher, "answers.pdf")), [""])
        self.assertEqual(card_state(student, file_id), ["Uploaded and offered to #maths."])
        quiet(self, member)
