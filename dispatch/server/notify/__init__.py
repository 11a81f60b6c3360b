"""Mails the service sends customers: the outbox rows, their texts and the SMTP sender."""
