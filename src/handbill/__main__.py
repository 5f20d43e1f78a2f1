import sys

from .cli import main

code = main()
if code == 130:
    # Interrupted (Ctrl-C, or SIGTERM): the workers are stopped and the message is out.
    # Wait for the Pandoc runs under way (their temporary folders go with them), then
    # leave with 130 now: the interpreter's own exit could still end the process by
    # SIGINT (-2) after the interrupt was handled (seen under load, about 1 run in 9).
    import os

    from .pandoc import stop_background

    try:
        stop_background()
        if "weasyprint" in sys.modules:  # the fonts WeasyPrint copied here
            from .pdf import forget_fonts

            forget_fonts()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
sys.exit(code)
