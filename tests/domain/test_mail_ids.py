from hypothesis import given
from hypothesis import strategies as st

from dispatch.domain import mail_ids


@given(st.integers(1, 10**12 - 1), st.integers(1, 10**12 - 1))
def test_a_reply_names_the_ticket_of_our_message(notification: int, number: int) -> None:
    ours = mail_ids.message_id(notification, number, "support.example")
    refs = f"<CAF1x@mail.gmail.com> {ours}"
    assert mail_ids.ticket_numbers_in_references(None, refs) == [number]


def test_foreign_message_ids_name_nothing() -> None:
    assert mail_ids.ticket_numbers_in_references("<abc.t12@x>", "<dispatch.x.t1@y>") == []


def test_subject_tag_round_trips() -> None:
    subject = f"AW: Drucker defekt {mail_ids.subject_tag(100123)}"
    assert mail_ids.ticket_number_in_subject(subject) == 100123
    assert mail_ids.ticket_number_in_subject("Re: [#] no number") is None
