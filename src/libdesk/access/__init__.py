"""Who may see or do what: the access table (`table`) and the Access a reader carries
(`purposes`). It sits below patrons and every app that reads patron data; the serving contexts
that open a patron's account for staff (`libdesk.privacy`) sit above patrons."""
