"""Sending notices: the state machine of a batch's notifications (claim, mark, post, settle), the
send loop (pipeline.py), the service the batch screens call (service.py) and the ``send`` /
``reap`` commands (cli.py); its benchmark is tools/bench/send.py. Where and when the loop runs (a
Celery task, the in-process thread, inline) is portal/background/'s.
"""
