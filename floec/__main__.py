from floec.cli import entry

entry()
