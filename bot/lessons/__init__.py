"""Course content (loading, validation) and the trainee's progress through it."""
