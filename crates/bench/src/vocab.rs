//! Words and phrases for realistic Spanish and English service-desk data: names, companies,
//! departments, and per-category ticket subjects, descriptions, replies and notes.

pub const FIRST_ES: &[&str] = &[
    "María",
    "José",
    "Carmen",
    "Antonio",
    "Lucía",
    "Javier",
    "Elena",
    "Manuel",
    "Ana",
    "David",
    "Laura",
    "Francisco",
    "Marta",
    "Daniel",
    "Paula",
    "Alejandro",
    "Sara",
    "Pablo",
    "Cristina",
    "Sergio",
    "Nuria",
    "Raúl",
    "Irene",
    "Álvaro",
    "Rocío",
    "Iñaki",
    "Begoña",
    "Jordi",
    "Montse",
];
pub const LAST_ES: &[&str] = &[
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Fernández",
    "Ruiz",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Navarro",
    "Torres",
    "Domínguez",
    "Gil",
    "Vázquez",
    "Serrano",
    "Ramos",
    "Castillo",
    "Ortega",
    "Rubio",
    "Molina",
    "Delgado",
    "Ibáñez",
    "Núñez",
];
pub const FIRST_EN: &[&str] = &[
    "James", "Olivia", "William", "Emma", "Oliver", "Amelia", "Harry", "Isla", "George", "Ava",
    "Noah", "Mia", "Jack", "Grace", "Thomas", "Sophie", "Charlie", "Lily", "Henry", "Chloe",
];
pub const LAST_EN: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
];

pub const COMPANIES: &[&str] = &[
    "Ayuntamiento de Villaverde",
    "Hospital San Rafael",
    "Transportes Ibéricos",
    "Banco del Sur",
    "Universidad de Levante",
    "Clínica Santa Ana",
    "Aguas del Norte",
    "Editorial Atlántida",
    "Seguros Mediterráneo",
    "Grupo Alimentario Castilla",
    "Northwind Traders",
    "Contoso Ltd",
    "Fabrikam Manufacturing",
    "Tailspin Logistics",
    "Litware Consulting",
    "Adventure Works",
    "Bodegas Ribera",
    "Metalúrgica Vasca",
    "Cooperativa Agraria",
    "Hotel Costa Brava",
    "Farmacéutica Galena",
    "Constructora Pirineo",
    "Energías Renovables Sol",
    "Puerto de Valencia",
];
pub const DEPARTMENTS: &[&str] = &[
    "Administración",
    "Recursos Humanos",
    "Contabilidad",
    "Compras",
    "Ventas",
    "Logística",
    "Atención al cliente",
    "Dirección",
    "Jurídico",
    "Marketing",
    "Operaciones",
    "Finance",
];

/// (name, tier, category codes it handles first)
pub const GROUPS: &[(&str, &str)] = &[
    ("Centro de servicio L1", "L1"),
    ("Service desk EN L1", "L1"),
    ("Soporte puesto de trabajo", "L2"),
    ("Redes y comunicaciones", "L2"),
    ("Sistemas y servidores", "L2"),
    ("Aplicaciones corporativas", "L2"),
    ("Seguridad informática", "L2"),
    ("Bases de datos", "L3"),
    ("Proveedor impresión (externo)", "L3"),
    ("Proveedor ERP (externo)", "L3"),
    ("Copias de seguridad", "L3"),
    ("Arquitectura y rendimiento", "L3"),
];

pub const APPS: &[&str] = &[
    "SAP",
    "Outlook",
    "Teams",
    "la VPN",
    "el ERP",
    "Excel",
    "la intranet",
    "Navision",
    "Chrome",
    "el CRM",
    "SharePoint",
    "el portal del empleado",
    "Citrix",
    "OneDrive",
    "Zoom",
];
pub const DEVICES: &[&str] = &[
    "portátil",
    "impresora",
    "monitor",
    "escáner",
    "teléfono IP",
    "docking station",
    "ratón",
    "servidor de ficheros",
    "switch de planta",
    "punto de acceso Wi-Fi",
];

/// Subject templates per category code: Spanish then English. `{app}`, `{dev}`, `{n}`.
pub const SUBJECTS: &[(&str, &[&str], &[&str])] = &[
    (
        "hardware.computer",
        &[
            "El {dev} no arranca",
            "Pantalla azul en el {dev} de la planta {n}",
            "El {dev} se apaga solo",
        ],
        &[
            "Laptop will not boot",
            "Blue screen on desktop in room {n}",
            "Computer shuts down randomly",
        ],
    ),
    (
        "hardware.printer",
        &[
            "La impresora de la planta {n} no imprime",
            "Atasco de papel continuo en la impresora",
            "Impresora sin tóner",
        ],
        &[
            "Printer on floor {n} not printing",
            "Constant paper jam",
            "Printer out of toner",
        ],
    ),
    (
        "hardware.peripheral",
        &["No funciona el {dev}", "El {dev} no se detecta"],
        &["Docking station not detected", "Second monitor flickers"],
    ),
    (
        "hardware.server",
        &[
            "Disco degradado en servidor SRV-{n}",
            "Fallo de fuente en servidor",
        ],
        &["Degraded RAID on SRV-{n}", "Server power supply failure"],
    ),
    (
        "software.bug",
        &[
            "Error al abrir {app}",
            "{app} se cierra inesperadamente",
            "Error {n} al guardar en {app}",
        ],
        &[
            "{app} crashes on start",
            "Error {n} when saving",
            "Application freezes",
        ],
    ),
    (
        "software.configuration",
        &["Configurar firma en {app}", "{app} no sincroniza"],
        &["Mailbox not syncing", "Configure email signature"],
    ),
    (
        "software.compatibility",
        &[
            "{app} no es compatible con la nueva versión",
            "Complemento de {app} deshabilitado",
        ],
        &[
            "Add-in disabled after update",
            "Plugin incompatible with new version",
        ],
    ),
    (
        "network.connectivity",
        &[
            "Sin conexión a {app}",
            "No hay red en la sala {n}",
            "La VPN se desconecta cada pocos minutos",
        ],
        &[
            "No network in meeting room {n}",
            "VPN keeps disconnecting",
            "Cannot reach shared drive",
        ],
    ),
    (
        "network.speed",
        &[
            "Internet muy lento en la oficina",
            "Descargas lentas desde {app}",
        ],
        &["Very slow internet in the office", "Slow file transfers"],
    ),
    (
        "network.stability",
        &[
            "Cortes intermitentes de Wi-Fi",
            "Pérdida de paquetes en la sede {n}",
        ],
        &["Intermittent Wi-Fi drops", "Packet loss at site {n}"],
    ),
    (
        "security.vulnerability",
        &[
            "Vulnerabilidad crítica en {app}",
            "Parche de seguridad pendiente",
        ],
        &["Critical vulnerability reported", "Pending security patch"],
    ),
    (
        "security.malware",
        &["Posible virus en el {dev}", "Correo sospechoso con adjunto"],
        &["Suspected malware on laptop", "Phishing email received"],
    ),
    (
        "security.access_control",
        &[
            "Sin acceso a la carpeta de {app}",
            "Solicitud de permisos en {app}",
        ],
        &[
            "Access denied to shared folder",
            "Need permissions in {app}",
        ],
    ),
    (
        "user_support.inquiry",
        &["Duda sobre el uso de {app}", "Cómo compartir un calendario"],
        &["How do I share a calendar", "Question about {app}"],
    ),
    (
        "user_support.password_reset",
        &[
            "Contraseña caducada",
            "Cuenta bloqueada tras varios intentos",
            "Restablecer contraseña de {app}",
        ],
        &[
            "Password expired",
            "Account locked out",
            "Reset my {app} password",
        ],
    ),
    (
        "user_support.training",
        &["Formación sobre {app} para el equipo", "Curso de {app}"],
        &["Training on {app} for new staff", "Onboarding session"],
    ),
    (
        "service_request.new_service",
        &[
            "Alta de nuevo empleado",
            "Solicitud de buzón compartido",
            "Nuevo {dev} para incorporación",
        ],
        &[
            "New starter account",
            "Shared mailbox request",
            "New laptop for new hire",
        ],
    ),
    (
        "service_request.configuration_change",
        &[
            "Cambio de departamento de usuario",
            "Ampliar cuota de correo",
        ],
        &["Increase mailbox quota", "Move user to another department"],
    ),
    (
        "service_request.system_upgrade",
        &[
            "Actualizar {app} a la última versión",
            "Ampliación de memoria del {dev}",
        ],
        &["Upgrade {app}", "Memory upgrade for laptop"],
    ),
    (
        "data_recovery.lost_data",
        &[
            "Recuperar fichero borrado",
            "Se han perdido los correos de ayer",
        ],
        &["Recover deleted file", "Lost emails from yesterday"],
    ),
    (
        "data_recovery.backup",
        &[
            "Fallo en la copia de seguridad nocturna",
            "Restaurar copia del servidor SRV-{n}",
        ],
        &["Nightly backup failed", "Restore backup of SRV-{n}"],
    ),
    (
        "performance.system",
        &["{app} va muy lento", "El {dev} tarda mucho en arrancar"],
        &["{app} is very slow", "Slow startup"],
    ),
    (
        "performance.network",
        &["Latencia alta hacia {app}", "Videollamadas entrecortadas"],
        &["High latency to {app}", "Choppy video calls"],
    ),
    (
        "consulting",
        &[
            "Consulta sobre licencias de {app}",
            "Asesoramiento para migrar a {app}",
        ],
        &["Advice on {app} licensing", "Consulting for migration"],
    ),
    (
        "other",
        &["Consulta general", "Otro problema con {app}"],
        &["General question", "Other issue with {app}"],
    ),
];

pub const DESCRIPTIONS_ES: &[&str] = &[
    "Desde esta mañana no puedo trabajar con normalidad.",
    "He reiniciado el equipo y el problema continúa.",
    "Afecta a todo el departamento.",
    "El error aparece al iniciar sesión.",
    "Adjunto captura del mensaje de error.",
    "Es urgente porque tenemos cierre de mes.",
    "Ocurre de forma intermitente desde ayer.",
    "Otros compañeros tienen el mismo problema.",
];
pub const DESCRIPTIONS_EN: &[&str] = &[
    "Since this morning I cannot work normally.",
    "I restarted the computer and the problem persists.",
    "The whole team is affected.",
    "The error appears right after signing in.",
    "Screenshot of the error message attached.",
    "It is urgent because of the month-end close.",
    "It happens on and off since yesterday.",
];

pub const REPLIES_ES: &[&str] = &[
    "Hola, estamos revisando su solicitud y le informaremos en breve.",
    "¿Puede indicarnos el mensaje de error exacto y desde cuándo ocurre?",
    "Hemos aplicado un cambio; por favor, compruebe si ya funciona.",
    "Le hemos enviado las instrucciones por correo.",
    "Un técnico pasará por su puesto esta tarde.",
    "Gracias, ya funciona correctamente.",
    "Sigue sin funcionar, el error es el mismo.",
];
pub const REPLIES_EN: &[&str] = &[
    "Hi, we are looking into your request and will update you shortly.",
    "Could you send the exact error message and when it started?",
    "We applied a fix; please check whether it works now.",
    "Instructions have been sent by email.",
    "Thanks, it works now.",
    "Still failing with the same error.",
];
pub const NOTES: &[&str] = &[
    "Revisado el registro de eventos: error de controlador.",
    "Escalado a L2 por falta de permisos.",
    "Reinicio del servicio realizado, pendiente de validar.",
    "Aplicada la solución del artículo de conocimiento KB-{n}.",
    "Llamada al usuario, no contesta. Reintentar mañana.",
    "Checked the logs: certificate expired on the proxy.",
    "Vendor ticket opened, reference {n}.",
    "Workaround applied; root cause still unknown.",
];
pub const RESOLUTIONS: &[&str] = &[
    "Reinstalado el controlador y verificado con el usuario.",
    "Restablecida la contraseña y desbloqueada la cuenta.",
    "Sustituido el tóner de la impresora.",
    "Reiniciado el servicio y aplicada la actualización.",
    "Replaced the faulty docking station.",
    "Renewed the proxy certificate.",
];
pub const KB_TOPICS_ES: &[&str] = &[
    "Cómo restablecer la contraseña de {app}",
    "Configurar {app} en el móvil",
    "Qué hacer si {app} no responde",
    "Conectar la impresora de la planta {n}",
    "Solucionar cortes de la VPN",
    "Solicitar acceso a carpetas compartidas",
    "Error {n} al iniciar {app}: solución",
];
pub const KB_TOPICS_EN: &[&str] = &[
    "How to reset your {app} password",
    "Set up {app} on your phone",
    "What to do when {app} freezes",
    "Fixing VPN disconnections",
    "Error {n} when starting {app}: workaround",
    "Requesting access to shared folders",
];
