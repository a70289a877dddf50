# Notifications of ticket events and outbound mail (issues #16 and #11).

notice-ticket-registered = We have registered { $number }: { $subject }
notice-ticket-created = New ticket { $number } in your group: { $subject }
notice-ticket-assigned = { $number } was assigned to you: { $subject }
notice-ticket-requester_replied = { $resumed ->
    [true] The requester replied on { $number } and the ticket resumes: { $subject }
   *[other] The requester replied on { $number }: { $subject }
}
notice-ticket-solution_rejected = The requester rejects the solution of { $number }: { $subject }
notice-ticket-review = { $number } awaits your review: { $subject }
notice-ticket-replied = New reply on { $number }: { $subject }
notice-ticket-validation = Is { $number } solved? Confirm the solution: { $subject }
notice-ticket-survey = Rate the service on { $number }: { $subject }
notice-ticket-closed = We have closed { $number }: { $subject }
notice-mail-test = Ventanilla test mail
notice-mail-rejected = Your mail was not registered / Su correo no se ha registrado: { $subject }
notice-mail-report = { $cadence } report “{ $name }”: { $from } to { $to }
report-cadence-daily = Daily
report-cadence-weekly = Weekly
report-cadence-monthly = Monthly

notice-more = and { $count } more

notifications-title = Notifications
notifications-empty = You have no notifications.
notifications-unread = { $count } unread
notifications-mark-all = Mark all as read
notifications-mark-read = Mark as read
notifications-older = Older
notifications-preferences = Notification preferences
notifications-preferences-intro = Choose which notices you get and how.
notifications-kind = Notice
notifications-in-app = In the app
notifications-email = By e-mail
notifications-save = Save preferences
notifications-saved = Preferences saved.
notifications-nav = Notifications

pref-ticket-registered = My request is registered (acknowledgement)
pref-ticket-replied = The support team replies
pref-ticket-validation = I am asked whether it is solved
pref-ticket-survey = Satisfaction survey
pref-ticket-closed = My ticket is closed
pref-ticket-created = New ticket in my group
pref-ticket-assigned = A ticket is assigned to me
pref-ticket-requester_replied = The requester replies
pref-ticket-solution_rejected = The requester rejects the solution
pref-ticket-review = A ticket reaches review
pref-ticket-escalated = A ticket is escalated to my group
pref-ticket-hierarchical_escalation = Hierarchical escalation
pref-ticket-major_incident = Major incident
pref-sla-warning = SLA warning
pref-sla-breach = SLA breach

mail-log-title = Sent mail log
mail-log-intro = Mail Ventanilla sends: state, attempts and errors. A dead mail ran out of attempts; you can send it again.
mail-log-when = Date
mail-log-kind = Notice
mail-log-to = Recipient
mail-log-state = State
mail-log-attempts = Attempts
mail-log-error = Error
mail-log-resend = Send again
mail-log-resent = The mail will be sent again.
mail-log-all = All
mail-log-empty = No mail in this state.
mail-state-pending = Pending
mail-state-sent = Sent
mail-state-skipped = Skipped
mail-state-dead = Dead
mail-skip-preference = turned off by the user
mail-skip-ack_cap = acknowledgements per hour cap
mail-skip-inactive = inactive user
mail-skip-no_recipient = no recipient

smtp-title = Sending mail (SMTP)
smtp-intro = Settings come from the configuration file ([mail] and [mail.smtp]); this shows the ones in force.
smtp-transport = Transport
smtp-from = Sender
smtp-domain = Message-ID domain
smtp-public-url = Address of links
smtp-host = Server
smtp-security = Security
smtp-auth = Authentication
smtp-auth-none = none
smtp-templates = Own templates
smtp-templates-none = built-in only
smtp-attempts = Attempts before a mail is dead
smtp-test = Send a test mail
smtp-test-to = Send to
smtp-test-queued = Test mail queued; its state shows in the log.

flash-preferences-saved = Notification preferences saved.
smtp-test-invalid = Enter a valid e-mail address.
flash-mail-resent = The mail will be sent again.
flash-smtp-test-queued = Test mail queued; its state shows in the log.
mail-admin = Outbound mail
mail-log-link = Sent mail log
smtp-link = Sending mail (SMTP)
mail-logs = Mail logs
pref-mail-rejected = Answer to a refused sender
