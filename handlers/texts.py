"""Everything the desk says, in one place, so the tone stays the same: warm, plain Italian.

Kept apart from the logic so the wording can be reviewed and translated without reading code,
organised by flow (handlers/flows/). `**bold**` is the only markup; channels render it.
Italian is the source: the other languages' wordings are in handlers/locales/<lang>.yml, keyed
by these names, and the code asks for them with `ctx.tr(texts.NAME)` (handlers/i18n.py). A new
text is a new constant here; until its catalogs have it, it is said in Italian everywhere.
"""

# -- onboarding (handlers/flows/onboarding.py) ------------------------------------------

from __future__ import annotations

PRIVACY_NOTICE = (
    "Ciao! Sono l'assistente dello **Sportello Welfare**: rispondo alle domande sul welfare "
    "aziendale e, se serve, ti metto in contatto con una persona dello sportello.\n\n"
    "Prima di iniziare, due parole sulla privacy:\n"
    "- non ti chiedo nome né cognome; ti riconosco con un codice anonimo;\n"
    "- finché non rispondi qui sotto, tengo solo il collegamento con questa chat e, se me "
    "l'hai già scritta, la tua prima domanda: per {pending_hours} ore al massimo;\n"
    "- se accetti, tengo il tuo ruolo, l'azienda (se mi dai il suo codice) e, per ogni "
    "messaggio, l'argomento e se la risposta ti è servita: per {log_days} giorni, poi restano "
    "solo conteggi anonimi per giorno;\n"
    "- il testo delle domande a cui non so rispondere lo conservo per {retention_days} giorni, "
    "per migliorare le risposte; delle altre non tengo il testo;\n"
    "- la tua azienda non vede mai le tue domande: vede solo numeri complessivi, "
    "e solo quando dietro ci sono almeno 5 persone;\n"
    "- se non mi scrivi per {inactive_days} giorni, cancello tutto;\n"
    "- puoi vedere tutto quello che ho su di te con /miei_dati e cancellarlo con /cancella.\n\n"
    "Ti va bene?"
)
CONSENT_YES = "Sì, va bene"
CONSENT_NO = "No, grazie"
CONSENT_DECLINED = (
    "Va bene, nessun problema: non ho salvato niente su di te. Se cambi idea, scrivi /start."
)
CONSENT_NEEDED = (
    "Per continuare mi serve il tuo ok sulla privacy: premi uno dei pulsanti qui sopra."
)
CONSENT_AGAIN = (
    "Per continuare mi serve ancora il tuo ok sulla privacy (l'informativa è qui sopra): "
    "ti va bene?"
)

ASK_ROLE = "Grazie! Per darti risposte giuste: tu sei…"
ROLE_WORKER = "Lavoratore o lavoratrice"
ROLE_COMPANY = "Azienda / ufficio personale"
ASK_COMPANY_CODE = (
    "Se la tua azienda ti ha dato un **codice sportello**, scrivilo qui: così ti rispondo "
    "tenendo conto del vostro piano. Se non ce l'hai, premi «Non ce l'ho»."
)
NO_COMPANY_CODE = "Non ce l'ho"
COMPANY_JOINED = "Perfetto, ti ho collegato a **{name}**."
COMPANY_UNKNOWN = (
    "Non trovo il codice «{code}». Controlla di averlo scritto bene e riprova, "
    "oppure premi «Non ce l'ho»."
)
COMPANY_CODES_PAUSED = (
    "Hai provato diversi codici che non trovo. Per sicurezza fermiamoci un attimo: "
    "potrai riprovare tra {minutes} minuti. Intanto puoi premere «Non ce l'ho» e farmi "
    "subito le tue domande; il codice potrai scriverlo anche più tardi, così: /start CODICE"
)
ONBOARDING_DONE = (
    "Fatto! Ora puoi farmi qualsiasi domanda sul welfare aziendale, con parole tue. "
    "Per esempio: «posso farmi rimborsare la retta del nido?» oppure "
    "«come funziona il premio di risultato?».\n\nScrivi /menu per vedere cosa posso fare."
)
PENDING_QUESTION = "Ora rispondo alla domanda che mi avevi scritto:"
COMPANY_UNKNOWN_LATER = (
    "Non trovo il codice «{code}»: il tuo profilo resta com'era. Puoi cambiarlo con /profilo."
)

# -- menu and help (handlers/flows/menu.py) ---------------------------------------------
MENU = (
    "Ecco cosa posso fare: rispondo alle tue domande sul welfare aziendale (scrivile pure, "
    "con parole tue) e, se serve, ti metto in contatto con una persona dello sportello.\n\n"
    "Scegli qui sotto, oppure scrivimi direttamente la domanda."
)
MENU_ASK = "✍️ Fai una domanda"
MENU_HUMAN = "🙋 Parla con una persona"
MENU_PRIVACY = "🔒 I tuoi dati"
MENU_PROFILE = "👤 Cambia profilo"
MENU_NEEDS = "📝 I tuoi bisogni"
MENU_HELP = "❓ Aiuto"
MENU_LANGUAGE = "🌍 Lingua"
MENU_ASK_REPLY = (
    "Scrivimi pure la domanda, come la diresti a un collega. Per esempio: «posso farmi "
    "rimborsare la retta del nido?»"
)
HELP = (
    "Sono l'assistente dello **Sportello Welfare**: rispondo alle domande sul welfare "
    "aziendale (rimborsi, buoni pasto, nido e scuola, assistenza ai familiari, premio di "
    "risultato, congedi e simili) e ti metto in contatto con una persona quando serve.\n\n"
    "**Comandi**\n{commands}\n\n"
    "**Qualche consiglio**\n"
    "- scrivi la domanda come la diresti a un collega, anche senza accenti;\n"
    "- puoi continuare un discorso: «e per la scuola materna?»;\n"
    "- se ti propongo più argomenti, scegli quello giusto con i pulsanti;\n"
    "- se la risposta non ti aiuta, premi 👎 e ti propongo una persona;\n"
    "- con /bisogni mi racconti, in forma anonima, che cosa ti servirebbe di più.\n\n"
    "Ricorda: le mie risposte sono informazioni generali. Per il tuo caso preciso vale il "
    "regolamento del piano della tua azienda."
)

# -- questions and answers (handlers/flows/questions.py, handlers/faq.py) ----------------
GREETING = "Ciao! Dimmi pure: che cosa vuoi sapere sul welfare aziendale?"
THANKS = "Figurati! Se hai altre domande, sono qui."
GOODBYE = "A presto! Quando vuoi, scrivimi di nuovo."
ACK = "D'accordo. Se hai una domanda sul welfare aziendale, scrivila pure."
BOT_CHALLENGE = (
    "Sono un assistente automatico dello Sportello Welfare, non una persona. "
    "Se preferisci parlare con qualcuno dello sportello, scrivi /operatore."
)
OUT_OF_SCOPE = (
    "Su questo non posso aiutarti: mi occupo solo di welfare aziendale (rimborsi, buoni pasto, "
    "nido e scuola, assistenza ai familiari, premio di risultato, congedi e simili). "
    "Se la tua domanda è su questi temi, prova a scriverla con altre parole."
)
NEED_ACKNOWLEDGED = "Grazie di avermelo raccontato. Vediamo intanto che cosa può esserti utile:"

ANSWER_SOURCES = "Fonte: {sources}"
ANSWER_EXPIRED = (
    "⚠️ Questa informazione era confermata fino al {until}: nel frattempo le regole potrebbero "
    "essere cambiate. Se vuoi una conferma, posso metterti in contatto con una persona."
)
REFERRAL_WHO = "**A chi rivolgerti**\n{who}"
REFERRAL_MORE = "Per le domande sul welfare aziendale, invece, sono qui: scrivimi pure."
ANSWER_FEEDBACK = "Ti è stata utile?"
ANSWER_ITALIAN_FOR_NOW = (
    "Per ora questa risposta è in italiano: stiamo aggiornando la traduzione. Se preferisci, "
    "una persona può aiutarti."
)
"""Before an Italian answer given to a user of another language (no fresh translation yet);
never said in Italian itself."""
FEEDBACK_YES = "👍 Sì"
FEEDBACK_NO = "👎 No"
FEEDBACK_THANKS = "Grazie del riscontro!"
FEEDBACK_SORRY = (
    "Mi dispiace. Puoi riscrivere la domanda con altre parole, oppure parlare con una persona."
)
CLARIFY = "Vuoi sapere di uno di questi argomenti? Scegli quello giusto:"
CLARIFY_NONE = "Nessuno di questi"
CLARIFY_NONE_REPLY = (
    "D'accordo. Prova a riscrivere la domanda con qualche dettaglio in più, "
    "oppure chiedi di una persona con /operatore."
)
FALLBACK = (
    "Non ho trovato una risposta sicura alla tua domanda e non voglio darti un'informazione "
    "sbagliata. Vuoi parlare con una persona dello sportello?"
)
OFFER_HUMAN = "Sì, con una persona"
OFFER_REPHRASE = "Riformulo la domanda"
REPHRASE = "Va bene, scrivimi la domanda con altre parole: ci riprovo."
TWO_QUESTIONS = "Mi hai fatto due domande: ti rispondo su tutte e due."
FOLLOW_UP_YES = "**Sì.** Ecco i dettagli:"
FOLLOW_UP_NO_AMOUNT = (
    "**No**: la cifra più alta che trovo in questa risposta è {most}. Ecco i dettagli:"
)

# -- hand-off (handlers/flows/handoff.py) ------------------------------------------------
DISTRESS = (
    "Mi dispiace davvero, sembra un periodo molto pesante. Non sei da solo o da sola: "
    "una persona dello sportello può ascoltarti e aiutarti a capire che cosa puoi chiedere."
)

HUMAN_CONTACT = "Per parlare con una persona dello Sportello Welfare:\n{contacts}"
HUMAN_CONTACT_EMAIL = "- scrivi a {email}"
HUMAN_CONTACT_PHONE = "- chiama il {phone}"
HUMAN_CONTACT_HOURS = "- orari: {hours}"
HUMAN_CONTACT_UNSET = (
    "In questo momento non posso passarti a una persona da qui. Chiedi all'ufficio personale "
    "i contatti dello Sportello Welfare della tua zona: ti aiuteranno loro."
)

ANGER = (
    "Mi dispiace, capisco che sia frustrante non trovare la risposta. Una persona dello "
    "sportello può aiutarti meglio di me:"
)

# -- privacy (handlers/flows/privacy.py) ------------------------------------------------
PRIVACY_MENU = (
    "**Come tratto i tuoi dati**\n"
    "- ti riconosco con un codice anonimo, non con il tuo nome; il collegamento con il tuo "
    "account Telegram serve solo a risponderti;\n"
    "- tengo il tuo ruolo, l'azienda (se mi hai dato il suo codice) e il giorno in cui mi hai "
    "scritto l'ultima volta;\n"
    "- di ogni messaggio registro l'argomento, che cosa ho risposto e se ti è servito, per "
    "{log_days} giorni; poi ne restano solo conteggi anonimi per giorno;\n"
    "- il testo delle domande a cui non ho saputo rispondere lo tengo per {retention_days} "
    "giorni, per migliorare le risposte; delle altre non tengo il testo;\n"
    "- la tua azienda vede solo statistiche complessive (almeno 5 persone), mai le tue domande;\n"
    "- se rispondi all'intervista sui bisogni (/bisogni), tengo le tue risposte finché non le "
    "cambi o le cancelli: all'azienda arrivano solo i totali;\n"
    "- se non mi scrivi per {inactive_days} giorni, cancello tutto;\n"
    "- puoi scaricare i tuoi dati o cancellarli quando vuoi."
)
PRIVACY_EXPORT = "Scarica i miei dati"
PRIVACY_ERASE = "Cancella i miei dati"
EXPORT_CAPTION = "Ecco tutto quello che ho su di te, in un file JSON."
ERASE_CONFIRM = (
    "Vuoi davvero cancellare i tuoi dati? Cancello il collegamento con il tuo account, "
    "le tue preferenze, il testo delle tue domande e le risposte all'intervista sui bisogni. "
    "L'operazione non si può annullare."
)
ERASE_YES = "Sì, cancella"
ERASE_NO = "No, lascia stare"
ERASE_DONE = (
    "Fatto: ho cancellato i tuoi dati. Se mi scrivi di nuovo, ripartiamo da capo con /start."
)
ERASE_ASK_AGAIN = (
    "Non ho ancora cancellato niente. Vuoi che cancelli i tuoi dati? Rispondi «sì» oppure «no»."
)
ERASE_KEPT = "Va bene, non ho cancellato niente."

# -- profile (handlers/flows/profile.py) -------------------------------------------------
ROLE_NAMES = {"worker": "lavoratore o lavoratrice", "company": "azienda / ufficio personale"}
ROLE_UNSET = "non indicato"
PROFILE_ASK_ROLE = (
    "Cambiamo il tuo profilo: non cancello niente. Ora risulti: **{current}**. Tu sei…"
)
PROFILE_KEEP = "Lascia com'è"
PROFILE_ASK_COMPANY = (
    "Se hai un nuovo **codice sportello** della tua azienda, scrivilo qui; altrimenti premi "
    "«Lascia com'è»."
)
PROFILE_COMPANY_UNKNOWN = (
    "Non trovo il codice «{code}». Controlla e riprova, oppure premi «Lascia com'è»."
)
PROFILE_DONE = "Fatto, il tuo profilo è aggiornato. Scrivimi pure la tua domanda."
PROFILE_LANGUAGE = "🌍 Cambia lingua"

# -- language (handlers/flows/language.py) ------------------------------------------------
LANGUAGE_NAMES = {
    "it": "Italiano",
    "en": "English",
    "ro": "Română",
    "sq": "Shqip",
    "ar": "العربية",
    "es": "Español",
    "fr": "Français",
}
"""Each language in its own name, the same in every catalog (not translated)."""
LANGUAGE_BUTTON = "🌍 Lingua · Language"
LANGUAGE_ASK = (
    "In che lingua vuoi che ti scriva? Ora: **{current}**.\n\n"
    "Con «Automatica» ti rispondo nella lingua in cui mi scrivi."
)
LANGUAGE_AUTOMATIC = "Automatica"
LANGUAGE_AUTOMATIC_NOW = "automatica"
LANGUAGE_CHOSEN = "Fatto! Da ora ti scrivo in italiano. Per cambiare lingua, scrivi /lingua."
LANGUAGE_AUTOMATIC_CHOSEN = (
    "Fatto! Ti rispondo nella lingua in cui mi scrivi. Per sceglierne una, scrivi /lingua."
)

# -- needs interview (handlers/flows/interview.py) ---------------------------------------
INTERVIEW_CONSENT = (
    "Ti faccio qualche domanda veloce su famiglia, tragitto, orari e su che cosa ti "
    "servirebbe di più: quasi tutto con i pulsanti, due o tre minuti. Serve a capire quali "
    "misure di welfare sono davvero utili a chi lavora nella tua azienda.\n\n"
    "- le risposte restano legate al tuo codice anonimo, mai al tuo nome;\n"
    "- la tua azienda vede solo totali, e solo quando dietro ci sono almeno 5 persone;\n"
    "- puoi cambiarle quando vuoi con /bisogni e cancellarle con /cancella.\n\n"
    "Sei d'accordo che le tue risposte siano usate così, in forma anonima e insieme a "
    "quelle dei colleghi?"
)
INTERVIEW_CONSENT_YES = "Sì, sono d'accordo"
INTERVIEW_CONSENT_NO = "No, preferisco di no"
INTERVIEW_DECLINED = (
    "Nessun problema: non ho salvato nessuna risposta. Se cambi idea, scrivi /bisogni. "
    "Intanto sono qui per le tue domande sul welfare."
)
INTERVIEW_KIDS = "Hai figli o figlie fino a 18 anni?"
INTERVIEW_KIDS_BAND = "Quanti ne hai **{band}**?"
INTERVIEW_BANDS = {
    "children_0_2": "tra 0 e 2 anni",
    "children_3_5": "tra 3 e 5 anni",
    "children_6_13": "tra 6 e 13 anni",
    "children_14_18": "tra 14 e 18 anni",
}
INTERVIEW_MANY = "3 o più"
INTERVIEW_RELATIVES = (
    "Ti occupi di un familiare anziano o con disabilità che ha bisogno di assistenza?"
)
INTERVIEW_YES = "Sì"
INTERVIEW_NO = "No"
INTERVIEW_COMMUTE_MODE = "Come vai al lavoro, di solito?"
INTERVIEW_COMMUTE_MODES = {
    "car": "🚗 Auto",
    "public_transport": "🚌 Mezzi pubblici",
    "bike": "🚲 Bici",
    "walk": "🚶 A piedi",
    "motorbike": "🛵 Moto o scooter",
    "mixed": "🔀 Più mezzi",
    "other": "Altro",
}
INTERVIEW_COMMUTE_BAND = "Quanto ci metti, solo andata?"
INTERVIEW_COMMUTE_BANDS = {
    "0-15": "Fino a 15 minuti",
    "15-30": "15-30 minuti",
    "30-45": "30-45 minuti",
    "45-60": "45-60 minuti",
    "60+": "Più di un'ora",
}
INTERVIEW_WORKING_TIME = "Che orario fai?"
INTERVIEW_WORKING_TIMES = {
    "full_time": "Tempo pieno",
    "part_time": "Part-time",
    "shifts": "A turni",
}
INTERVIEW_WISHES = "Che cosa ti aiuterebbe di più con gli orari?"
INTERVIEW_WISH_CHOICES = {
    "flex": "Orari più flessibili",
    "smart": "Smart working",
    "both": "Tutti e due",
    "none": "Nessuno dei due",
}
INTERVIEW_AREAS = (
    "Su quali temi ti servirebbe più aiuto? Puoi sceglierne più d'uno (premi di nuovo per "
    "toglierlo), poi premi «Fatto»."
)
INTERVIEW_AREAS_PICKED = "Per ora hai scelto: {areas}."
INTERVIEW_AREA_NAMES = {
    "childcare": "Nido e bambini piccoli",
    "schooling": "Scuola dei figli",
    "eldercare": "Cura di familiari",
    "health": "Salute",
    "mobility": "Tragitto casa-lavoro",
    "time": "Tempo e conciliazione",
    "income_support": "Sostegno al reddito",
    "training": "Formazione",
    "leisure": "Tempo libero",
    "housing": "Casa",
}
INTERVIEW_AREAS_DONE = "Fatto"
INTERVIEW_RANK_FIRST = "Tra quelli che hai scelto, qual è il più importante per te?"
INTERVIEW_RANK_NEXT = "E dopo, quale viene?"
INTERVIEW_COMMENT = (
    "Vuoi aggiungere qualcosa con parole tue? Scrivilo qui: lo legge solo lo staff dello "
    "sportello, mai la tua azienda. Altrimenti premi «Salta»."
)
INTERVIEW_SKIP = "Salta"
INTERVIEW_CLEAR_COMMENT = "Togli il commento"
INTERVIEW_SUMMARY = "**Ecco le tue risposte**\n{lines}\n\nVanno bene così?"
INTERVIEW_STORED = (
    "Mi avevi già risposto: partiamo da lì. Puoi confermare o cambiare quello che vuoi."
)
INTERVIEW_SUMMARY_LINES = {
    "children": "- Figli: {children}",
    "relatives": "- Familiari da assistere: {relatives}",
    "commute": "- Tragitto: {commute}",
    "work": "- Orario: {working_time}; ti aiuterebbe: {wishes}",
    "areas": "- Temi più importanti: {areas}",
    "comment": "- Commento: {comment}",
}
INTERVIEW_NO_CHILDREN = "nessuno fino a 18 anni"
INTERVIEW_CHILDREN_BAND = "{count} {band}"
INTERVIEW_NOT_SAID = "nessuna risposta"
INTERVIEW_NONE = "nessuno"
INTERVIEW_CONFIRM = "✅ Conferma"
INTERVIEW_EDIT = {
    "household": "✏️ Famiglia",
    "commute": "✏️ Tragitto",
    "work": "✏️ Orario",
    "areas": "✏️ Temi",
    "comment": "✏️ Commento",
}
INTERVIEW_SAVED = (
    "Grazie! Ho salvato le tue risposte. Con quelle dei colleghi aiutano a scegliere le "
    "misure di welfare che servono davvero. Puoi cambiarle quando vuoi con /bisogni."
)
INTERVIEW_RESUMED = "Riprendiamo l'intervista da dove eravamo rimasti."
INTERVIEW_PAUSED = (
    "Metto in pausa l'intervista sui bisogni: quando vuoi riprenderla, scrivi /bisogni."
)
INTERVIEW_UNCLEAR = "Non ho capito bene: scegli uno dei pulsanti, per favore."
INTERVIEW_NO_COMPANY = (
    "L'intervista sui bisogni raccoglie le risposte di chi lavora in una stessa azienda: mi "
    "serve il **codice sportello** della tua. Se ce l'hai, aggiungilo con /profilo e poi "
    "scrivi di nuovo /bisogni."
)
INTERVIEW_ADD_CODE = "👤 Aggiungi il codice"
INTERVIEW_FOR_WORKERS = (
    "L'intervista sui bisogni è per lavoratrici e lavoratori. Come azienda potete avere il "
    "rapporto sui bisogni del vostro personale: solo totali, mai le risposte di una persona. "
    "Chiedetelo al welfare manager dello sportello, che lo prepara con il comando "
    "«sportello report needs»."
)
INTERVIEW_OFFER = (
    "Grazie di avermelo detto: è proprio il genere di cosa che lo sportello raccoglie per "
    "capire di che cosa ha bisogno chi lavora nella tua azienda. Se ti va, lo segno in una "
    "breve intervista anonima (due o tre minuti, con i pulsanti)."
)
INTERVIEW_OFFER_YES = "📝 Sì, facciamola"
INTERVIEW_OFFER_INFO = "ℹ️ Intanto dimmi: {title}"
INTERVIEW_OFFER_NO = "No, grazie"
INTERVIEW_OFFER_DECLINED = "Va bene. Se hai una domanda sul welfare, scrivila pure."
INTERVIEW_INVITE = "📝 Raccontaci i tuoi bisogni"

# -- escalation: tickets for welfare managers (handlers/flows/handoff.py, worker side) -----
TICKET_CONFIRM = (
    "Posso passare la tua richiesta a un welfare manager, una persona dello sportello: "
    "ti risponderà qui in chat. Vuoi che lo faccia?"
)
TICKET_CONFIRM_YES = "Sì, passamela"
TICKET_CONFIRM_NO = "No, grazie"
TICKET_NOT_OPENED = "Va bene, nessuna richiesta. Se cambi idea scrivi /operatore."
TICKET_SHARE = (
    "Posso mostrare al welfare manager le ultime domande che mi hai fatto? "
    "Così non devi ripeterle. Vedrà solo questa conversazione, non chi sei."
)
TICKET_SHARE_YES = "Sì, mostrale"
TICKET_SHARE_NO = "No, preferisco di no"
TICKET_NOTE = "Vuoi aggiungere due parole su cosa ti serve? Scrivile qui, oppure premi «Salta»."
TICKET_NOTE_SKIP = "Salta"
TICKET_OPENED = (
    "Fatto: la tua richiesta è la **n. {number}**. Un welfare manager la prende in carico "
    "e ti risponde qui, di solito entro {hours} ore lavorative. Da adesso quello che mi "
    "scrivi arriva a lui o a lei."
)
TICKET_ALREADY_OPEN = (
    "La tua richiesta **n. {number}** è già aperta ({status}): quello che mi scrivi arriva "
    "al welfare manager, non serve aprirne un'altra."
)
TICKET_NEEDS_CONSENT = (
    "Per passarti a un welfare manager devo prima avere il tuo consenso al trattamento dei "
    "dati: scrivi /start. Intanto ecco come raggiungere lo sportello:"
)
TICKET_RELAYED = (
    "Ho girato il tuo messaggio al welfare manager della richiesta n. {number}: "
    "ti rispondo qui appena scrive. Da ora lo faccio senza dirtelo ogni volta."
)
TICKET_FROM_MANAGER = "**{name}** (welfare manager), richiesta n. {number}:\n{text}"
TICKET_TAKEN_WORKER = (
    "{name}, welfare manager, ha preso in carico la tua richiesta n. {number}: ti risponde qui."
)
TICKET_RESOLVED_WORKER = (
    "{name} ha segnato la tua richiesta n. {number} come risolta. Se serve ancora "
    "qualcosa, scrivimi qui: la riapro."
)
TICKET_CLOSED_WORKER = (
    "La tua richiesta n. {number} è chiusa. Com'è andata con il welfare manager? "
    "Dai un voto da 1 (male) a 5 (benissimo)."
)
TICKET_RATED = (
    "Grazie del voto! Vuoi aggiungere un commento? Scrivilo qui, oppure premi «No, grazie»."
)
TICKET_COMMENT_SKIP = "No, grazie"
TICKET_COMMENT_THANKS = "Grazie, lo leggeranno le persone dello sportello."
TICKET_RATE_STALE = "Questa richiesta ha già un voto, grazie."
TICKET_LIST_EMPTY = "Non hai richieste a un welfare manager. Se ti serve, scrivi /operatore."
TICKET_LIST_HEAD = "Le tue richieste:"
TICKET_LIST_LINE = "- n. {number} ({topic}): {status}"
TICKET_TOPIC_NONE = "generale"
TOPIC_NAMES = {  # a topic as the worker reads it (their list of requests); keys of topics.yml
    "cos-e-welfare-aziendale": "che cos'è il welfare aziendale",
    "accesso-piano-welfare": "accesso al piano e al credito welfare",
    "fringe-benefit-soglia": "soglia dei fringe benefit",
    "buoni-pasto": "buoni pasto",
    "rimborso-asilo-nido": "rimborso dell'asilo nido",
    "istruzione-figli": "spese di istruzione dei figli",
    "assistenza-familiari-anziani": "assistenza ai familiari anziani",
    "trasporto-pubblico": "abbonamenti al trasporto pubblico",
    "sanita-integrativa": "sanità integrativa",
    "previdenza-complementare": "previdenza complementare",
    "premio-risultato-conversione": "premio di risultato in welfare",
    "servizi-ricreativi-culturali": "tempo libero, cultura e sport",
    "congedo-parentale": "congedo parentale",
    "permessi-legge-104": "permessi della legge 104",
    "smart-working-conciliazione": "lavoro agile e conciliazione",
    "ente-bilaterale-prestazioni": "prestazioni dell'ente bilaterale",
    "mutua-sussidi": "società di mutuo soccorso",
    "scadenza-credito-welfare": "scadenza del credito welfare",
    "tassazione-welfare": "tasse e welfare",
    "documenti-rimborso": "documenti per i rimborsi",
    "familiari-beneficiari": "familiari che ne beneficiano",
    "attivazione-piano-azienda": "attivare un piano welfare",
    "regolamento-o-accordo": "regolamento o accordo sindacale",
    "deducibilita-costi-azienda": "costi del welfare per l'azienda",
    "accordo-premio-deposito": "accordo sul premio di risultato",
    "piattaforme-provider": "piattaforme e provider",
    "analisi-bisogni": "analisi dei bisogni",
    "monitoraggio-misure": "monitoraggio del piano",
    "rete-imprese-welfare": "welfare di rete",
    "bando-regionale-piemonte": "bandi della Regione Piemonte",
    "welfare-ccnl": "welfare del contratto nazionale",
    "fringe-benefit-adempimenti": "adempimenti per i fringe benefit",
    "case-history": "esempi di altre aziende",
    "privacy-dati": "privacy e dati personali",
}
TICKET_SUMMARY = {
    "asked": "Ha chiesto di parlare con una persona",
    "distress": "Sembra in un momento difficile: ha chiesto aiuto",
    "anger": "Era frustrato/a dalle risposte dello sportello",
}
TICKET_TRANSCRIPT_LINE = "- {at}: {what}"
TICKET_TRANSCRIPT_DECISION = {
    "answer": "ha chiesto di «{topic}» (risposta data)",
    "referral": "ha chiesto di «{topic}» (rimandato ad altri)",
    "clarify": "ha chiesto di «{topic}» (domanda di chiarimento)",
    "fallback": "domanda senza risposta",
}

# -- escalation: the managers' group (handlers/managers.py) ---------------------------------
CARD = (
    "🆕 **Richiesta n. {number}** · {topic}{priority}\n"
    "Azienda: {company}\n"
    "Indirizzata a: {routed}\n"
    "{summary}"
)
CARD_PRIORITY = " · ⚠️ priorità alta"
CARD_NOTE = "\nNota: {note}"
CARD_TRANSCRIPT = "\nConversazione condivisa:\n{transcript}"
CARD_NO_TRANSCRIPT = "\n(La persona non ha condiviso la conversazione.)"
CARD_NETWORK = "rete"
CARD_NOBODY = "nessun manager disponibile"
CARD_TAKE = "🙋 Prendi"
CARD_RESOLVE = "✅ Risolto"
CARD_CLOSE = "🔒 Chiudi"
CARD_REASSIGN = "🔁 Riassegna"
TOPIC_NAME = "n. {number} · {topic}"
THREAD_WORKER = "💬 Richiesta n. {number}, scrive la persona:\n{text}"
THREAD_PRIORITY = "⚠️ Richiesta n. {number}: la persona sembra in difficoltà, priorità alta."
THREAD_TAKEN = "🙋 {name} ha preso in carico la richiesta n. {number}."
THREAD_ALREADY_TAKEN = "La richiesta n. {number} è già di {name}."
THREAD_RESOLVED = "✅ {name} ha segnato la richiesta n. {number} come risolta."
THREAD_CLOSED = "🔒 {name} ha chiuso la richiesta n. {number}."
THREAD_REASSIGNED = "🔁 {name} ha riassegnato la richiesta n. {number} a {other}."
THREAD_NOBODY_ELSE = "Non c'è un altro manager disponibile per la richiesta n. {number}."
THREAD_IS_CLOSED = (
    "La richiesta n. {number} è chiusa: il messaggio non è arrivato alla persona. "
    "Se ti scrive di nuovo si apre una richiesta nuova."
)
THREAD_CANNOT = "La richiesta n. {number} è {status}: non si può fare adesso."
THREAD_ERASED = (
    "La persona della richiesta n. {number} ha cancellato i suoi dati: la richiesta è "
    "chiusa e anonimizzata, e non posso più scriverle."
)
THREAD_WHERE = "Scrivi il comando nel topic della richiesta, o in risposta a un suo messaggio."
THREAD_REMINDER = (
    "⏰ {name}, la richiesta n. {number} aspetta ancora una prima risposta "
    "(obiettivo: {hours} ore lavorative)."
)
THREAD_ESCALATED = (
    "🚨 La richiesta n. {number} ha superato le {hours} ore lavorative senza risposta: "
    "la passo a {name}, welfare manager di rete."
)
THREAD_ESCALATED_NOBODY = (
    "🚨 La richiesta n. {number} ha superato le {hours} ore lavorative senza risposta e "
    "non c'è un welfare manager di rete disponibile."
)
NOT_A_MANAGER = "Solo i welfare manager registrati possono usare questi pulsanti."
NOT_YOUR_COMPANY = "Questa richiesta è dei manager di un'altra azienda."

STAFF_ONLY = frozenset(
    {
        "TICKET_SUMMARY",
        "TICKET_TRANSCRIPT_LINE",
        "TICKET_TRANSCRIPT_DECISION",
        "CARD",
        "CARD_PRIORITY",
        "CARD_NOTE",
        "CARD_TRANSCRIPT",
        "CARD_NO_TRANSCRIPT",
        "CARD_NETWORK",
        "CARD_NOBODY",
        "CARD_TAKE",
        "CARD_RESOLVE",
        "CARD_CLOSE",
        "CARD_REASSIGN",
        "TOPIC_NAME",
        "THREAD_WORKER",
        "THREAD_PRIORITY",
        "THREAD_TAKEN",
        "THREAD_ALREADY_TAKEN",
        "THREAD_RESOLVED",
        "THREAD_CLOSED",
        "THREAD_REASSIGNED",
        "THREAD_NOBODY_ELSE",
        "THREAD_IS_CLOSED",
        "THREAD_CANNOT",
        "THREAD_ERASED",
        "THREAD_WHERE",
        "THREAD_REMINDER",
        "THREAD_ESCALATED",
        "THREAD_ESCALATED_NOBODY",
        "NOT_A_MANAGER",
        "NOT_YOUR_COMPANY",
    }
)
"""Texts only the welfare managers read — the card, the ticket's thread, the summary and the
transcript the card shows: Italian staff, so they stay Italian and the catalogs leave them
out. Everything the worker reads is translated, like the rest of this module."""

# -- everywhere ---------------------------------------------------------------------------
NO_DATA = "Non ho nessun dato su di te. Se vuoi iniziare, scrivi /start."

UNKNOWN_COMMAND = "Non conosco il comando /{command}. Scrivi /menu per vedere quelli che uso."
UNSUPPORTED_ATTACHMENT = (
    "Per ora leggo solo messaggi scritti: non riesco ad aprire foto, vocali o file. "
    "Scrivimi la domanda a parole, per favore."
)
EMPTY_MESSAGE = "Non ho ricevuto testo. Scrivimi pure la tua domanda."
STALE_BUTTON = "Questo pulsante non è più attivo. Scrivimi di nuovo la domanda."
TRUNCATED = "(Il messaggio era molto lungo: ho letto solo la prima parte.)"
GROUP_PRIVATE = "Per le domande sul welfare scrivimi in privato: qui nel gruppo non rispondo."
GROUP_PRIVATE_LINK = (
    "Per le domande sul welfare scrivimi in privato: {link}\nQui nel gruppo non rispondo."
)
ERROR = (
    "Scusa, qualcosa è andato storto dalla mia parte. Riprova tra poco; se il problema "
    "continua, scrivi /operatore."
)

COMMAND_DESCRIPTIONS: tuple[tuple[str, str], ...] = (
    ("start", "Inizia o ricomincia"),
    ("menu", "Cosa posso fare"),
    ("aiuto", "Cosa faccio e i comandi"),
    ("profilo", "Cambia ruolo o azienda"),
    ("bisogni", "Intervista sui tuoi bisogni"),
    ("lingua", "Scegli la lingua"),
    ("operatore", "Parla con una persona"),
    ("richieste", "Le tue richieste a un welfare manager"),
    ("privacy", "Come tratto i tuoi dati"),
    ("miei_dati", "Scarica i tuoi dati"),
    ("cancella", "Cancella i tuoi dati"),
)
