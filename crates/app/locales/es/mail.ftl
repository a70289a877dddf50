# Notifications of ticket events and outbound mail (issues #16 and #11).

notice-ticket-registered = Hemos registrado { $number }: { $subject }
notice-ticket-created = Nuevo ticket { $number } en su grupo: { $subject }
notice-ticket-assigned = Se le ha asignado { $number }: { $subject }
notice-ticket-requester_replied = { $resumed ->
    [true] El solicitante ha respondido en { $number } y el ticket se reanuda: { $subject }
   *[other] El solicitante ha respondido en { $number }: { $subject }
}
notice-ticket-solution_rejected = El solicitante rechaza la solución de { $number }: { $subject }
notice-ticket-review = { $number } espera su revisión: { $subject }
notice-ticket-replied = Nueva respuesta en { $number }: { $subject }
notice-ticket-validation = ¿Está resuelto { $number }? Confirme la solución: { $subject }
notice-ticket-survey = Valore la atención recibida en { $number }: { $subject }
notice-ticket-closed = Hemos cerrado { $number }: { $subject }
notice-mail-test = Correo de prueba de Ventanilla
notice-mail-rejected = Su correo no se ha registrado / Your mail was not registered: { $subject }
notice-mail-report = Informe { $cadence } «{ $name }»: del { $from } al { $to }
report-cadence-daily = diario
report-cadence-weekly = semanal
report-cadence-monthly = mensual

notice-more = y { $count } más

notifications-title = Notificaciones
notifications-empty = No tiene notificaciones.
notifications-unread = { $count ->
    [one] 1 sin leer
   *[other] { $count } sin leer
}
notifications-mark-all = Marcar todas como leídas
notifications-mark-read = Marcar como leída
notifications-older = Más antiguas
notifications-preferences = Preferencias de notificación
notifications-preferences-intro = Elija qué avisos recibe y por qué canal.
notifications-kind = Aviso
notifications-in-app = En la aplicación
notifications-email = Por correo
notifications-save = Guardar preferencias
notifications-saved = Preferencias guardadas.
notifications-nav = Notificaciones

pref-ticket-registered = Hemos registrado mi solicitud (acuse de recibo)
pref-ticket-replied = El equipo de soporte responde
pref-ticket-validation = Me preguntan si está resuelto
pref-ticket-survey = Encuesta de satisfacción
pref-ticket-closed = Mi ticket se cierra
pref-ticket-created = Nuevo ticket en mi grupo
pref-ticket-assigned = Se me asigna un ticket
pref-ticket-requester_replied = El solicitante responde
pref-ticket-solution_rejected = El solicitante rechaza la solución
pref-ticket-review = Un ticket llega a revisión
pref-ticket-escalated = Un ticket se escala a mi grupo
pref-ticket-hierarchical_escalation = Escalado jerárquico
pref-ticket-major_incident = Incidente mayor
pref-sla-warning = Aviso de SLA
pref-sla-breach = Incumplimiento de SLA

mail-log-title = Registro de correo enviado
mail-log-intro = Correo que Ventanilla envía: estado, intentos y errores. Un correo muerto agotó sus intentos; puede reenviarlo.
mail-log-when = Fecha
mail-log-kind = Aviso
mail-log-to = Destinatario
mail-log-state = Estado
mail-log-attempts = Intentos
mail-log-error = Error
mail-log-resend = Reenviar
mail-log-resent = El correo se enviará de nuevo.
mail-log-all = Todos
mail-log-empty = No hay correo en este estado.
mail-state-pending = Pendiente
mail-state-sent = Enviado
mail-state-skipped = Omitido
mail-state-dead = Muerto
mail-skip-preference = el usuario lo ha desactivado
mail-skip-ack_cap = límite de acuses por hora
mail-skip-inactive = usuario inactivo
mail-skip-no_recipient = sin destinatario

smtp-title = Envío de correo (SMTP)
smtp-intro = La configuración viene del archivo de configuración ([mail] y [mail.smtp]); aquí se muestra la que está en vigor.
smtp-transport = Transporte
smtp-from = Remitente
smtp-domain = Dominio de los Message-ID
smtp-public-url = Dirección de los enlaces
smtp-host = Servidor
smtp-security = Seguridad
smtp-auth = Autenticación
smtp-auth-none = ninguna
smtp-templates = Plantillas propias
smtp-templates-none = solo las incluidas
smtp-attempts = Intentos antes de dar un correo por muerto
smtp-test = Enviar correo de prueba
smtp-test-to = Dirección de destino
smtp-test-queued = Correo de prueba en cola; su estado aparece en el registro.

flash-preferences-saved = Preferencias de notificación guardadas.
smtp-test-invalid = Escriba una dirección de correo válida.
flash-mail-resent = El correo se enviará de nuevo.
flash-smtp-test-queued = Correo de prueba en cola; su estado aparece en el registro.
mail-admin = Correo saliente
mail-log-link = Registro de correo enviado
smtp-link = Envío de correo (SMTP)
mail-logs = Registros de correo
pref-mail-rejected = Respuesta a un remitente rechazado
