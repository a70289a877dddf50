# Rechazos por su código estable (`refused-<código>`), para las páginas que muestran un rechazo de la API.
refused-bad-request = No se ha podido leer la petición.
refused-method-not-allowed = Esta dirección no admite ese tipo de petición.
refused-invalid-encoding = El texto debe estar en UTF-8.
refused-invalid-payload = Al evento de monitorización le falta un campo o tiene uno que no es válido.
refused-integration-kind = El token de esta integración pertenece a otro tipo de integración.
refused-integration-token-required = Los eventos se envían con el token de una integración.
refused-survey-closed = Este enlace de encuesta ya se ha usado o ha caducado.
refused-ticket-closed = La incidencia está cerrada o cancelada y no se puede cambiar.
