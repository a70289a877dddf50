# Refusals by their stable code (`refused-<code>`), for pages that show an API refusal.
refused-bad-request = The request could not be read.
refused-method-not-allowed = This address does not take that kind of request.
refused-invalid-encoding = The text must be UTF-8.
refused-invalid-payload = The monitoring event is missing a field or has one that is not valid.
refused-integration-kind = This integration's token belongs to another kind of integration.
refused-integration-token-required = Events are sent with an integration's token.
refused-survey-closed = This survey link has been used or has expired.
refused-ticket-closed = The ticket is closed or cancelled and cannot be changed.
