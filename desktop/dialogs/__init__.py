"""Dialogs of the window and the start screen, one per module. Each calls the same `models` functions as the
`tagdesk` command; long work runs through `desktop.tasks` with progress and Cancel (`task_panel.TaskPanel`)."""
