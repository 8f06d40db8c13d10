module github.com/razmena/razmena

go 1.26.8
