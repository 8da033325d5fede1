-- The causes behind each stored colour (stable id -> the line that names it), so that a new
-- cause on a goal that is already amber or red is recorded and reaches the digest.
ALTER TABLE health ADD COLUMN causes JSONB NOT NULL DEFAULT '{}';
