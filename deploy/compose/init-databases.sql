-- One database per service: no service reads another's tables.
CREATE DATABASE "case";
CREATE DATABASE review;
CREATE DATABASE deadline;
CREATE DATABASE notify;
CREATE DATABASE gateway;
