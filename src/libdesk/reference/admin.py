"""Nothing of the reference desk is in Django's admin: questions and answers are patron
data, and the consumer-information directory is curated by librarians on its own pages
(reference/directory.py), where every save is audited and a source is retired, never deleted
(answers that cited it keep its name)."""
