"""The founder's interviews with families: her free hours, offers as buttons, reminders, her day's calls.

vkbot wires it: ``dialog.handle_interview_message`` runs inside the intake's turn,
``due.due_interview_messages`` in the notices job, ``views`` and ``ics`` in the dashboard, ``hours`` and
``booking`` in ``vkbot interviews``. Nothing is imported here: ``waitlist.settings`` needs this package's
settings while ``waitlist`` itself is still loading.
"""
