from ._import_command import ImportCommand


class Command(ImportCommand):
    kind = "workers"
    help = "Check or import the workers file: manage.py import_workers FILE --user USERNAME [--commit]. Exit code 1 when the file has problems."
