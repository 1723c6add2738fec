"""chatd.irc.batches: the lines that open and close every batch the IRC front end sends."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.irc.batches import new_batch


class BatchTests(SynchronousTestCase):
    def test_a_batch_opens_with_its_type_and_closes_with_its_reference(self) -> None:
        """BATCH +reference type params... opens it and BATCH -reference closes it, from the server."""
        framing = new_batch("testhost", "chathistory", "#lobby")
        self.assertEqual(
            framing.start, f":testhost BATCH +{framing.reference} chathistory #lobby\r\n".encode()
        )
        self.assertEqual(framing.end, f":testhost BATCH -{framing.reference}\r\n".encode())
        self.assertRegex(framing.reference, r"^[A-Za-z0-9]+$")

    def test_no_two_batches_share_a_reference_whatever_their_type(self) -> None:
        """A chathistory batch nested in a labelled answer's never has the reference of the one around it: one
        counter names both (labels and history each kept their own, told apart only by a letter)."""
        references = {
            new_batch("testhost", kind).reference for kind in ("labeled-response", "chathistory") * 50
        }
        self.assertEqual(len(references), 100)
