"""Click commands kept out of medallion/cli.py, each registered there with ``main.add_command``."""
