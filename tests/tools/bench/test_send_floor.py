"""The send benchmark's SQL-floor replay (``--floor``): it does what the recorded session did."""

import sqlite3
import threading

from sqlalchemy import create_engine, text

from tools.bench.send_floor import recorded_statements, replay, snapshot


def rows(path) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT id, status FROM item ORDER BY id").fetchall()
    finally:
        connection.close()


def read_and_roll_back(engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT status FROM item")).all()
        connection.rollback()


def test_the_replay_does_what_the_recorded_session_did_and_nothing_it_rolled_back(tmp_path):
    database, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, status TEXT)"))
        connection.execute(text("INSERT INTO item (status) VALUES ('queued'), ('queued'), ('queued')"))
    snapshot(database, copy)
    with recorded_statements(engine) as steps, engine.connect() as connection:
        claimed = connection.execute(
            text("UPDATE item SET status = 'sending' WHERE id <= :n RETURNING id"), {"n": 2}
        ).all()
        connection.commit()
        reader = threading.Thread(target=read_and_roll_back, args=(engine,))  # like the posting thread
        reader.start()
        reader.join()
        connection.execute(text("UPDATE item SET status = 'lost'"))
        connection.rollback()
        connection.execute(text("INSERT INTO item (status) VALUES (:s)"), [{"s": "new"}, {"s": "newer"}])
        connection.execute(text("UPDATE item SET status = 'accepted' WHERE id IN (1, 2)"))
        connection.commit()
    assert len(claimed) == 2 and [step[0] for step in steps].count("rollback") == 1  # not the reader's
    engine.dispose()
    assert rows(copy) == [(1, "queued"), (2, "queued"), (3, "queued")]  # the copy is from before
    assert replay(copy, steps) > 0
    assert rows(copy) == rows(database) == [(1, "accepted"), (2, "accepted"), (3, "queued"), (4, "new"), (5, "newer")]
