"""Text-message backends, chosen by settings.SMS_BACKEND (like Django's e-mail backends)."""
