from generator.cli import cli

cli(prog_name="gpu-year")
