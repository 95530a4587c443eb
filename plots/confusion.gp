# dnb: confusion matrix (test set) (accuracy 0.9774)
# Self-contained (all data inline): render with `gnuplot confusion.gp`;
# the image confusion.png is written next to this script.
reset
set encoding utf8
set terminal pngcairo size 620,560 font 'DejaVu Sans,10' noenhanced
# ARG0 is this script's path as gnuplot was given it; keep its directory part.
dnb_dir = exists('ARG0') ? ARG0 : ''
dnb_i = strlen(dnb_dir)
while (dnb_i > 0 && dnb_dir[dnb_i:dnb_i] ne '/') { dnb_i = dnb_i - 1 }
dnb_dir = dnb_i > 0 ? dnb_dir[1:dnb_i] : ''
set output dnb_dir.'confusion.png'

# counts: row = true class (0 first), column = predicted class
$counts << EOD
968 0 3 1 1 1 2 1 1 2
0 1125 3 1 0 1 2 1 2 0
3 0 1007 2 3 1 2 7 7 0
0 0 5 982 0 8 0 3 8 4
1 0 6 0 959 1 4 1 0 10
3 0 0 16 2 860 4 1 5 1
3 3 0 1 2 7 940 0 2 0
0 4 9 4 3 0 0 1002 3 3
1 0 3 7 3 2 3 5 948 2
1 2 0 4 9 0 1 6 3 983
EOD
# labels: predicted, true, count, text colour (24-bit RGB)
$labels << EOD
0 0 968 16777215
1 0 0 0
2 0 3 0
3 0 1 0
4 0 1 0
5 0 1 0
6 0 2 0
7 0 1 0
8 0 1 0
9 0 2 0
0 1 0 0
1 1 1125 16777215
2 1 3 0
3 1 1 0
4 1 0 0
5 1 1 0
6 1 2 0
7 1 1 0
8 1 2 0
9 1 0 0
0 2 3 0
1 2 0 0
2 2 1007 16777215
3 2 2 0
4 2 3 0
5 2 1 0
6 2 2 0
7 2 7 0
8 2 7 0
9 2 0 0
0 3 0 0
1 3 0 0
2 3 5 0
3 3 982 16777215
4 3 0 0
5 3 8 0
6 3 0 0
7 3 3 0
8 3 8 0
9 3 4 0
0 4 1 0
1 4 0 0
2 4 6 0
3 4 0 0
4 4 959 16777215
5 4 1 0
6 4 4 0
7 4 1 0
8 4 0 0
9 4 10 0
0 5 3 0
1 5 0 0
2 5 0 0
3 5 16 0
4 5 2 0
5 5 860 16777215
6 5 4 0
7 5 1 0
8 5 5 0
9 5 1 0
0 6 3 0
1 6 3 0
2 6 0 0
3 6 1 0
4 6 2 0
5 6 7 0
6 6 940 16777215
7 6 0 0
8 6 2 0
9 6 0 0
0 7 0 0
1 7 4 0
2 7 9 0
3 7 4 0
4 7 3 0
5 7 0 0
6 7 0 0
7 7 1002 16777215
8 7 3 0
9 7 3 0
0 8 1 0
1 8 0 0
2 8 3 0
3 8 7 0
4 8 3 0
5 8 2 0
6 8 3 0
7 8 5 0
8 8 948 16777215
9 8 2 0
0 9 1 0
1 9 2 0
2 9 0 0
3 9 4 0
4 9 9 0
5 9 0 0
6 9 1 0
7 9 6 0
8 9 3 0
9 9 983 16777215
EOD

set title 'confusion matrix (test set) (accuracy 0.9774)' font ',12'
set xlabel 'predicted'
set ylabel 'true'
set size ratio -1
set xrange [-0.5:9.5]
# True class 0 at the top, as in Keras / scikit-learn displays.
set yrange [9.5:-0.5]
set xtics 1 scale 0
set ytics 1 scale 0
set cbrange [0:1125]
set cblabel 'count'
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
unset key
plot $counts matrix with image, \
     $labels using 1:2:3:4 with labels textcolor rgb variable
unset output
