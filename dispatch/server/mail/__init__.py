"""Mail that comes in.

- `intake.take_in`: the one entry point the MTA pipe (`dispatch mail intake`) and the IMAP
  loop both call; exactly once per message, committing before it returns;
- `parse` (with `text`, `attachments`, `automatic`): a raw message read, whatever its shape;
- `decide`: what a mail becomes (ticket, reply comment, unmatched, ignored); `store`: the
  `inbound_mail` row, its attachments and the `mailbox` actor;
- `unmatched` and `listing`: the desk's decisions on unmatched mail, a ticket's received
  mails and attachment downloads, for `http/routes/mails.py`.
"""
