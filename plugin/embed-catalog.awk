# Turns plugin/catalog.tsv into a C array of lines, compiled into the binary
# so that the hook needs no data files at run time.
BEGIN {
	print "/* Generated from plugin/catalog.tsv by plugin/embed-catalog.awk. */"
	print "#include <stddef.h>"
	print "const char *const gjs_builtin_catalog[] = {"
}
{
	gsub(/\\/, "\\\\")
	gsub(/"/, "\\\"")
	printf "\t\"%s\\n\",\n", $0
}
END {
	print "\tNULL"
	print "};"
}
