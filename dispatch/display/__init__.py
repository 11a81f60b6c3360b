"""What a person reads: stored text made safe, times in the provider's zone, labels for values.

Every screen, dialog, toast and CLI line goes through this package, so the German UI later
has one place per kind of string to translate, and hostile text has one gate to pass.
"""
