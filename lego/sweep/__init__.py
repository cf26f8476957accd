"""``lego sweep``: design-space exploration. A sweep file (:mod:`lego.sweep.sweepfile`) expands
to points (:mod:`lego.sweep.points`); the driver (:mod:`lego.sweep.driver`) runs them through
the stages (:mod:`lego.sweep.stages`) on an executor (:mod:`lego.sweep.executors`) and records
each in the store (:mod:`lego.sweep.store`); export and plot read it back."""
