"""Mail that comes in: parsing (`parse.py`), what a mail becomes (`intake.py`), the one
function the MTA pipe and the IMAP loop both call (`intake.take_in`)."""
