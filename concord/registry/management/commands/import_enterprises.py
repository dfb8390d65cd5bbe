from ._import_command import ImportCommand


class Command(ImportCommand):
    kind = "enterprises"
    help = "Check or import the enterprises file: manage.py import_enterprises FILE --user USERNAME [--commit]. Exit code 1 when the file has problems."
