"""Bad input a service cannot accept. Each names the field it came in, so a form shows the
message beside that field and the API answers 422 with it under `loc`."""


class InputError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, str(message)
