"""The SSH gateway: technicians log in to one service account with their own key.

sshd asks `dispatch ssh authorized-keys` whose key it is (`authorized`), and the key's line
forces `dispatch ssh session --key FP` (`session`), which mints a short-lived token for that
person (`tokens`) and runs the console or one read-only command (`commands`, `text`).
`authorized`, `config`, `lean_db` and `commands` import the standard library only: they run
at every login, before anything is on the screen.
"""
