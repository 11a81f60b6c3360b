"""Mail that comes in.

- `intake.take_in`: the one entry point the MTA pipe (`dispatch mail intake`) and the IMAP
  loop both call; exactly once per message, committing before it returns;
- `parse` (with `text`, `attachments`, `automatic`): a raw message read, whatever its shape;
- `decide`: what a mail becomes (ticket, reply comment, unmatched, ignored); `store`: the
  `inbound_mail` row, its attachments and the `mailbox` actor;
- `unmatched` and `listing`: the desk's decisions on unmatched mail, a ticket's received
  mails and attachment downloads, for `http/routes/mails.py`;
- `imap_*`: the support mailbox over IMAP: settings checked (`imap_config`), the connection
  (`imap_client`), one pass that marks a message only after its commit (`imap_fetch`), the
  IDLE poller of the service (`imap_loop`) with its one-per-database lease (`imap_lease`),
  put together in `imap_service`; `imap_crashpoint` is the exactly-once tests' kill hook.
"""
